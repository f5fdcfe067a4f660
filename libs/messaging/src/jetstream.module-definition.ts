import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { JetStreamModuleOptions } from './jetstream.options';
import { JETSTREAM_MODULE_OPTIONS } from './messaging.constants';

export const {
  ConfigurableModuleClass: JetStreamConfigurableModule,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<JetStreamModuleOptions>({ optionsInjectionToken: JETSTREAM_MODULE_OPTIONS })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** `JetStreamModule.forRoot(...)` argument: the module options plus `isGlobal`. */
export type JetStreamModuleForRootOptions = typeof OPTIONS_TYPE;
/** `JetStreamModule.forRootAsync(...)` argument: `useFactory`/`inject`, `useClass` or `useExisting`, plus `isGlobal`. */
export type JetStreamModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
