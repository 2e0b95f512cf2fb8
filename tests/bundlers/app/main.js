// Browser entry of the fixture apps, as an app writes it: nothing to set up.
import * as W from 'wasyncio';
import { start } from './start.js';

start(W);
