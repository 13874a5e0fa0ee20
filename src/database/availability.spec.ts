import { isDatabaseUnavailable } from './availability.js';

describe('isDatabaseUnavailable', () => {
  it.each([
    [{ code: '57P01', message: 'terminating connection due to administrator command' }, true],
    [{ message: 'QueryFailedError', driverError: { code: '57P01' } }, true],
    [{ code: '08006' }, true],
    [{ code: '53300' }, true],
    [new Error('Connection terminated unexpectedly'), true],
    [new Error('timeout exceeded when trying to connect'), true],
    [{ message: 'x', driverError: new Error('connect ECONNREFUSED 127.0.0.1:5432') }, true],
    [{ code: '23505', message: 'duplicate key value violates unique constraint' }, false],
    [{ code: '40P01' }, false],
    [new Error('syntax error at or near "FROM"'), false],
    [Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), { name: 'QueryRunnerAlreadyReleasedError' }), true],
    [null, false],
  ])('%j → %s', (error, expected) => expect(isDatabaseUnavailable(error)).toBe(expected));
});
