export { startKubeServer, type KubeServer, type KubeServerOptions } from './server';
export { defaultBehavior, templateHash, type Behavior } from './controllers';
