/**
 * Where the UI puts a prediction: next to the scan, named after the scan and the model, never over
 * an existing file ("painting.npy" + model folder "fcn-plus" → "painting.fcn-plus.npy", then
 * "painting.fcn-plus (2).npy", …).
 */
import * as path from 'node:path';
import { uniquePath } from '../io/atomic';

export async function defaultPredictionPath(scanPath: string, modelDir: string): Promise<string> {
  const scanFile = scanPath.split('::')[0]; // "file.h5::/entry/data" names a dataset inside a file
  const stem = path.basename(scanFile, path.extname(scanFile));
  const model = path.basename(path.resolve(modelDir)).replace(/[\\/:*?"<>|]+/g, '_');
  return uniquePath(path.join(path.dirname(path.resolve(scanFile)), `${stem}.${model}.npy`));
}
