// Types of runtime.mjs (plain JavaScript: it runs before any TypeScript is loaded).
export declare const RUNTIME_DIR: URL;
export declare function bundleIsFresh(dir?: URL, root?: string): boolean;
export declare function cliEntry(env?: Record<string, string | undefined>): string;
