import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const addon = require("./build/Release/netlink_native.node");

export const version = addon.version;
