import { applyDecorators, HttpCode, type HttpStatus } from '@nestjs/common';
import { ApiResponse, type ApiResponseNoStatusOptions } from '@nestjs/swagger';

/**
 * A route's success answer: the status it sends (`@HttpCode`, stated even where it is Nest's
 * default) and the Swagger documentation of that status, set together so they cannot disagree.
 */
export const Responds = (
  status: HttpStatus,
  answer: ApiResponseNoStatusOptions = {},
): MethodDecorator => applyDecorators(HttpCode(status), ApiResponse({ ...answer, status }));
