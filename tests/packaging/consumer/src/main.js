// The consumer's browser entry for esbuild, webpack and vite (the bundler build): imports
// the installed package by name and runs one flow (flow.js).
import { ConsentBridge, BridgeError } from 'mp-consent-bridge';
import { mockBinanceHost, binanceDenial } from 'mp-consent-bridge/testing';
import { report } from './flow.js';

report(ConsentBridge, BridgeError, mockBinanceHost, binanceDenial);
