import type { BuildOptions } from "esbuild"

export declare const bundleFlags: BuildOptions
