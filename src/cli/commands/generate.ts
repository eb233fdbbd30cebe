import { generateDistrict, type GenerateOptions, type GenerateResult } from '../../generate/index.js';
import { createProgress } from '../../observability/index.js';

export async function generateCommand(options: Omit<GenerateOptions, 'onProgress'>): Promise<GenerateResult> {
  const progress = createProgress();
  progress.start(options.students, 'generating');
  try {
    return await generateDistrict({ ...options, onProgress: (done) => progress.update(done) });
  } finally {
    progress.stop();
  }
}
