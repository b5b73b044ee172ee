/**
 * The element diff for one endpoint's ports (setEndpointPorts): mappings are owned by one
 * endpoint each; openings are counted across endpoints so a container port shared by
 * several mappings (or endpoints) stays open while any needs it.
 */
import type { EndpointPorts } from "../model.js";
import { elementId, mappingElement, openingElement, type Element } from "./elements.js";

/** Elements of one endpoint's ports, deduplicated by element id. */
export interface PortElements {
  readonly mappings: ReadonlyMap<string, Element>;
  readonly openings: ReadonlyMap<string, Element>;
}

export function portElements(ports: EndpointPorts): PortElements {
  const mappings = new Map<string, Element>();
  for (const m of ports.mappings) {
    const e = mappingElement(m);
    mappings.set(elementId(e), e);
  }
  const openings = new Map<string, Element>();
  for (const o of ports.openings) {
    const e = openingElement(o);
    openings.set(elementId(e), e);
  }
  return { mappings, openings };
}

export const NO_PORTS: PortElements = { mappings: new Map(), openings: new Map() };

/** What to delete and add in nft (deletes first: a retarget is delete + add of one key). */
export interface ElementDiff {
  readonly remove: Element[];
  readonly add: Element[];
}

/**
 * Diff of replacing `before` with `after` for one endpoint, given the opening refcounts of
 * all endpoints (`refs`, including `before`). Only elements the recorded state says are
 * present are deleted (nft 1.0.6 fails the transaction on a missing one, layout §7 L8).
 */
export function diffPorts(before: PortElements, after: PortElements, refs: ReadonlyMap<string, number>): ElementDiff {
  const remove: Element[] = [];
  const add: Element[] = [];
  for (const [id, e] of before.mappings) {
    const next = after.mappings.get(id);
    if (!next || next.text.text !== e.text.text) remove.push(e);
  }
  for (const [id, e] of after.mappings) {
    const prev = before.mappings.get(id);
    if (!prev || prev.text.text !== e.text.text) add.push(e);
  }
  for (const [id, e] of before.openings) {
    if (!after.openings.has(id) && (refs.get(id) ?? 0) <= 1) remove.push(e);
  }
  for (const [id, e] of after.openings) {
    if (!before.openings.has(id) && (refs.get(id) ?? 0) === 0) add.push(e);
  }
  return { remove, add };
}

/** Applies one endpoint's change to the refcounts (in place). */
export function updateRefs(refs: Map<string, number>, before: PortElements, after: PortElements): void {
  for (const id of before.openings.keys()) {
    const n = (refs.get(id) ?? 0) - 1;
    if (n <= 0) refs.delete(id);
    else refs.set(id, n);
  }
  for (const id of after.openings.keys()) refs.set(id, (refs.get(id) ?? 0) + 1);
}
