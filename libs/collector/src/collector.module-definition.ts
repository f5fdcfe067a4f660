import { ConfigurableModuleBuilder } from '@nestjs/common';
import { COLLECTOR_MODULE_OPTIONS, COLLECTOR_SETTINGS } from './collector.constants';
import type { CollectorModuleOptions } from './collector.options';
import { resolveCollectorSettings } from './collector.settings';

/**
 * Holds the collector's options (given or from a factory) and their validated `CollectorSettings`, in a module
 * of their own: the messaging and database modules are configured from the settings too, so they import it.
 */
export const {
  ConfigurableModuleClass: ConfigurableCollectorOptionsModule,
  OPTIONS_TYPE: COLLECTOR_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: COLLECTOR_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CollectorModuleOptions>({ optionsInjectionToken: COLLECTOR_MODULE_OPTIONS })
  .setClassMethodName('forRoot')
  .setExtras({}, (definition) => ({
    ...definition,
    providers: [
      ...(definition.providers ?? []),
      { provide: COLLECTOR_SETTINGS, useFactory: resolveCollectorSettings, inject: [COLLECTOR_MODULE_OPTIONS] },
    ],
    exports: [COLLECTOR_SETTINGS],
  }))
  .build();

/** `CollectorModule.forRoot(...)` argument. */
export type CollectorModuleForRootOptions = typeof COLLECTOR_OPTIONS_TYPE;
/** `CollectorModule.forRootAsync(...)` argument: `useFactory`/`inject` (plus `imports`), `useClass` or `useExisting`. */
export type CollectorModuleAsyncOptions = typeof COLLECTOR_ASYNC_OPTIONS_TYPE;
