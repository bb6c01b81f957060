/** This package's version; a test keeps it equal to package.json's. */
export const PACKAGE_NAME = 'evidence';
export const PACKAGE_VERSION = '0.1.0';
