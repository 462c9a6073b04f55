export { PageInfo } from '../../../platform/federation/page-info.js';
