import { ipv6Bytes, isPrivateAddress, webhookUrlProblem } from './address.rules.js';

describe('webhook address rules', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '169.254.0.1',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::',
    '::1',
    '[::1]',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'fc00::1',
    'fd12:3456:789a::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.1.2.3',
    '::ffff:169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    '2002:c0a8:0101::1',
    '::127.0.0.1',
    'not an address',
    '',
    '1.2.3',
    '2001:db8::1',
  ])('%s is private', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '9.255.255.255',
    '11.0.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.169.0.1',
    '169.253.255.255',
    '100.63.255.255',
    '100.128.0.0',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2400:3200::1',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:0808:0808::1',
    '2a00:1450:4001::200e',
  ])('%s is public', (ip) => expect(isPrivateAddress(ip)).toBe(false));

  it('expands IPv6 forms to the same bytes', () => {
    expect(ipv6Bytes('::ffff:127.0.0.1')).toEqual(ipv6Bytes('0:0:0:0:0:ffff:7f00:0001'));
    expect(ipv6Bytes('1::')).toEqual([0, 1, ...Array(14).fill(0)]);
    expect(ipv6Bytes('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(ipv6Bytes('1::2::3')).toBeNull();
    expect(ipv6Bytes('12345::')).toBeNull();
  });

  it.each([
    ['https://hooks.example.com/peiyu', false, null],
    ['http://hooks.example.com:8080/p?q=1', false, null],
    ['ftp://hooks.example.com/', false, 'must be an http or https URL'],
    ['hooks.example.com/peiyu', false, 'must be an absolute http or https URL'],
    ['https://user:pw@hooks.example.com/', false, expect.stringContaining('user name')],
    ['https://hooks.example.com/#x', false, expect.stringContaining('fragment')],
    ['http://127.0.0.1:9000/', false, expect.stringContaining('127.0.0.1')],
    ['http://0x7f.1/', false, expect.stringContaining('127.0.0.1')],
    ['http://2130706433/', false, expect.stringContaining('127.0.0.1')],
    ['http://[::1]/', false, expect.stringContaining('::1')],
    ['http://[::ffff:169.254.169.254]/', false, expect.stringContaining('private')],
    ['http://169.254.169.254/latest/meta-data', false, expect.stringContaining('169.254.169.254')],
    ['http://0.0.0.0:80/', false, expect.stringContaining('0.0.0.0')],
    ['http://localhost:3000/', false, expect.stringContaining('localhost')],
    ['http://api.localhost/', false, expect.stringContaining('localhost')],
    ['http://127.0.0.1:9000/', true, null],
    ['http://localhost:9000/', true, null],
  ])('%s (private allowed: %s) → %s', (url, allow, problem) => {
    expect(webhookUrlProblem(url, allow)).toEqual(problem);
  });
});
