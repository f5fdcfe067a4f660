/** DI token of the validated {@link ReporterConfig}. */
export const REPORTER_CONFIG = Symbol('REPORTER_CONFIG');
