import { ENTERPRISE_VIEW_FIELDS } from '../enterprise-list.query.js';
import { ENTERPRISE_JSON_SCHEMA } from './enterprise.dto.js';

describe('ENTERPRISE_JSON_SCHEMA', () => {
  it('names exactly the fields the enterprise queries read (the serializer drops any it does not name)', () => {
    expect(Object.keys(ENTERPRISE_JSON_SCHEMA.properties).sort()).toEqual([...ENTERPRISE_VIEW_FIELDS].sort());
  });
});
