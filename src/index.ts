/**
 * vial — the core library (browser-safe: no Node APIs anywhere under this entry point).
 * Node-only parts have their own entry points (`vial/leak`, the CLI).
 */
export * from './value/index.js';
