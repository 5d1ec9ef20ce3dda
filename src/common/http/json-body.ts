import { HttpStatus } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

/**
 * How deeply a request body may nest objects and arrays. The API's own bodies nest 2 levels
 * (`{ attributes: { name } }`); 32 leaves room for the routes of modules that import the guard.
 * Deeper bodies are refused before anything walks them: class-transformer and class-validator
 * recurse once per level, and a body nested 1,500 levels overflowed the stack (a 500).
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether JSON text nests objects or arrays more than `max` levels deep. One pass over the text,
 * counting brackets outside strings; it does not validate the JSON (the parser does that next).
 * Strings, most of a body's bytes, are skipped with `indexOf`: a 100 kB body of long strings takes
 * a few µs, a tenth of JSON.parse (a loop over every character took ten times JSON.parse).
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  if (text.length <= max * 2) return false; // Too short to open more than `max` brackets.
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = closingQuote(text, i);
      if (i === -1) return false; // an unterminated string: the parser refuses it
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** The index of the quote that ends the string opened at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  let end = open;
  for (;;) {
    end = text.indexOf('"', end + 1);
    if (end === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return end; // an even run escapes itself, not the quote
  }
}

/**
 * Parses `application/json` bodies with Fastify's own parser (which refuses `__proto__` and
 * `constructor.prototype` keys), after refusing bodies nested deeper than MAX_JSON_DEPTH with
 * 400 `VALIDATION_FAILED`. The app must be created with Nest's `bodyParser: false`, as createApp
 * does, or Nest registers its own JSON parser over this one.
 */
export function registerJsonParser(fastify: FastifyInstance, bodyLimit: number): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit },
    (request, body, done) => {
      const text = body as string; // parseAs: 'string'
      if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
        done(
          new AppException(
            HttpStatus.BAD_REQUEST,
            ErrorCode.VALIDATION_FAILED,
            `The body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep.`,
          ),
          undefined,
        );
        return;
      }
      void parse(request, text, done);
    },
  );
}
