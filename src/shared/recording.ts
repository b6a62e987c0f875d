// The recording choices every host offers: the contract's schemas, the CLI's flags (read at
// start-up, before any capture module loads) and the core's recorder take them from here.

/** Named video qualities; the core maps each to a libx264 CRF and preset (screen-args.ts). */
export const QUALITY_NAMES = ['low', 'standard', 'high'] as const;
export type QualityName = (typeof QUALITY_NAMES)[number];

/** libx264's presets, fastest first. */
export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;
export type X264Preset = (typeof X264_PRESETS)[number];
