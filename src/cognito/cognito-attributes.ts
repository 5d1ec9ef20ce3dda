import type { AttributeType } from '@aws-sdk/client-cognito-identity-provider';

/** Cognito's `[{ Name, Value }]` as a plain map. */
export function toAttributeMap(attributes: AttributeType[] | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { Name, Value } of attributes ?? []) {
    if (Name && Value !== undefined) map[Name] = Value;
  }
  return map;
}

/** A plain map as Cognito's `[{ Name, Value }]`. */
export function toAttributeList(attributes: Record<string, string>): AttributeType[] {
  return Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));
}
