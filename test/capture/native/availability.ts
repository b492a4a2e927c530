/**
 * Whether native capture can run here. Tests skip (saying why) only where
 * userfaultfd itself is unavailable: off Linux, or without the permission.
 * On Linux a missing addon is a failed build, and the tests fail for it.
 */
import { loadNativeAddon } from '../../../src/capture/native/addon.js';
import { UnavailableError } from '../../../src/errors.js';

function check(): string | undefined {
  if (process.platform !== 'linux') return `native capture needs Linux, this is ${process.platform}`;
  try {
    loadNativeAddon();
    return undefined;
  } catch (err) {
    if (err instanceof UnavailableError && /userfaultfd/.test(err.message) && !/not built|cannot load/.test(err.message)) return err.message;
    throw err;
  }
}

/** Why native tests are skipped here, or undefined when they run. */
export const nativeSkipReason = check();
if (nativeSkipReason) console.log(`skipping native capture tests: ${nativeSkipReason}`);
