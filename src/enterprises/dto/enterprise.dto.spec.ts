import { Enterprise } from '../enterprise.entity.js';
import { toEnterpriseView } from '../enterprises.service.js';
import { ENTERPRISE_JSON_SCHEMA } from './enterprise.dto.js';

describe('ENTERPRISE_JSON_SCHEMA', () => {
  it('names exactly the fields of an enterprise view (the serializer drops any it does not name)', () => {
    const entity = Object.assign(new Enterprise(), { createdAt: new Date(0), updatedAt: new Date(0) });
    expect(Object.keys(ENTERPRISE_JSON_SCHEMA.properties).sort()).toEqual(
      Object.keys(toEnterpriseView(entity)).sort(),
    );
  });
});
