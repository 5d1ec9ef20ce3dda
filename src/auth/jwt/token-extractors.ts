import { ExtractJwt, type JwtFromRequestFunction } from 'passport-jwt';
import { ACCESS_TOKEN_COOKIE } from '../auth.constants';

interface CookieRequest {
  cookies?: Record<string, string | undefined>;
}

const fromAccessCookie: JwtFromRequestFunction = (request) =>
  (request as CookieRequest).cookies?.[ACCESS_TOKEN_COOKIE] ?? null;

/**
 * Where an access token may come from: the `Authorization: Bearer` header, else the httpOnly
 * access cookie. Never the query string: URLs end up in logs, histories and Referer headers.
 * Reads only headers and cookies, so it works on Fastify and Express alike.
 */
export const extractAccessToken: JwtFromRequestFunction = ExtractJwt.fromExtractors([
  ExtractJwt.fromAuthHeaderAsBearerToken(),
  fromAccessCookie,
]);
