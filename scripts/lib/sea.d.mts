export declare const TEMPLATE_MANIFEST_KEY: string;
export declare const CORE_ASSET_KEY: string;
export declare const CORE_CACHE_ASSET_KEY: string;
export declare const SEA_FUSE: string;
export declare function listTemplateFiles(dir: string, prefix?: string): string[];
export declare function wrapCore(code: string): string;
export declare function coreCodeCache(corePath: string): Buffer;
export declare function injectSea(blob: string, output: string): string | undefined;
export interface SeaConfig {
  main: string;
  output: string;
  disableExperimentalSEAWarning: true;
  useCodeCache: true;
  assets: Record<string, string>;
}
export declare function seaConfig(options: {
  main: string;
  core: string;
  coreCache: string;
  output: string;
  templatesDir: string;
  templates: readonly string[];
  manifestPath: string;
}): SeaConfig;
