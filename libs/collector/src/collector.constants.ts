/** Options as given to `CollectorModule.forRoot/forRootAsync`. */
export const COLLECTOR_MODULE_OPTIONS = Symbol('COLLECTOR_MODULE_OPTIONS');
/** The same options validated and completed with defaults (`CollectorSettings`). */
export const COLLECTOR_SETTINGS = Symbol('COLLECTOR_SETTINGS');
