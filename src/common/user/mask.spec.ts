import { maskDestination } from './mask';

describe(maskDestination.name, () => {
  it.each([
    ['alice@example.com', 'a***@e***.com'],
    ['a***@e***', 'a***@e***'],
    ['bob@mail.example.co.uk', 'b***@m***.uk'],
    ['+14155550100', '+*******0100'],
    ['x', '***'],
  ])('masks %s as %s', (input, masked) => {
    expect(maskDestination(input)).toBe(masked);
  });
});
