export { generateDistrict, type GenerateOptions, type GenerateResult } from './generate-district.js';
export { Random, sigmoid } from '../util/random.js';
