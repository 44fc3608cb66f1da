import type { CliCommand } from './types';
import { validate } from './validate';
import { plan } from './plan';
import { apply } from './apply';
import { showPlan } from './show-plan';
import { build } from './build';
import { push } from './push';
import { deploy } from './deploy';
import { history } from './history';
import { drift } from './drift';

export type { CliCommand } from './types';

/** Every subcommand of `helix-deploy`, in the order `--help` lists them. Append new commands here. */
export const commands: CliCommand[] = [validate, plan, apply, showPlan, build, push, deploy, history, drift];
