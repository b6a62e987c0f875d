/** Kept equal to package.json's version (a unit test pins it). */
export const APP_NAME = 'Proofline';
export const APP_VERSION = '0.1.0';
/** The evidence archive format this build writes (DESIGN.md, "format 1"). */
export const ARCHIVE_FORMAT = 1;
