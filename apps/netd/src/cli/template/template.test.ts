import { describe, expect, it } from "vitest";
import { compileTemplate } from "./render.js";

const net = {
  Name: "front",
  Id: "abc",
  Labels: { b: "2", a: "1" },
  IPAM: { Config: [{ Subnet: "10.0.0.0/24", Gateway: "10.0.0.1" }, { Subnet: "fd00::/64" }] },
  Containers: { c2: { Name: "web", IPv4Address: "10.0.0.2/24" }, c1: { Name: "db", IPv4Address: "10.0.0.3/24" } },
  EnableIPv6: false,
};
const r = (t: string, data: unknown = net) => compileTemplate(t).render(data);

describe("Go template subset (--format)", () => {
  it("renders fields, json, index, range (lists and maps in key order, with variables), if/else, with, pipelines", () => {
    expect(r("{{.Name}} {{.Id}}")).toBe("front abc");
    expect(r("{{json .Labels}}")).toBe('{"b":"2","a":"1"}');
    expect(JSON.parse(r("{{json .}}"))).toEqual(net);
    expect(r('{{index .Labels "a"}}|{{index .IPAM.Config 1 "Subnet"}}')).toBe("1|fd00::/64");
    expect(r("{{range .IPAM.Config}}{{.Subnet}} {{end}}")).toBe("10.0.0.0/24 fd00::/64 ");
    expect(r("{{range $id, $c := .Containers}}{{$id}}={{$c.Name}};{{end}}")).toBe("c1=db;c2=web;");
    expect(r("{{range $k, $v := .Labels}}{{$k}}:{{$v}} {{end}}")).toBe("a:1 b:2 ");
    expect(r("{{range .Missing}}x{{else}}none{{end}}")).toBe("none");
    expect(r("{{if .EnableIPv6}}v6{{else}}v4 only{{end}}")).toBe("v4 only");
    expect(r("{{with .IPAM}}{{len .Config}}{{end}}")).toBe("2");
    expect(r('{{.Name | upper}} {{join .List ","}}', { Name: "front", List: ["a", "b"] })).toBe("FRONT a,b");
    expect(r("{{range .IPAM.Config}}{{$.Name}}/{{.Gateway}} {{end}}")).toBe("front/10.0.0.1 front/<no value> ");
    expect(r("{{.Labels}} {{.Nope}}")).toBe("map[a:1 b:2] <no value>");
    expect(r("a\n  {{- .Name -}}  \nb")).toBe("afrontb");
    expect(r('{{if eq .Name "front"}}yes{{end}}')).toBe("yes");
    expect(r('{{printf "%s-%d" .Name 3}}')).toBe("front-3");
  });

  it("refuses templates it cannot read, naming the part", () => {
    expect(() => compileTemplate("{{.Name")).toThrow(/unclosed action/);
    expect(() => compileTemplate("{{range .A}}x")).toThrow(/missing \{\{end\}\} for \{\{range\}\}/);
    expect(() => compileTemplate("{{end}}")).toThrow(/\{\{end\}\} without/);
    expect(() => r("{{nosuch .Name}}")).toThrow(/function "nosuch" not defined/);
    expect(() => r("{{$x}}")).toThrow(/undefined variable \$x/);
  });
});
