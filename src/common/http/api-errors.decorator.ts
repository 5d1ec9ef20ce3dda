import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response.dto';

/**
 * Documents a route's error answers, all in the one error body: `@ApiErrors({ 400: 'Invalid
 * body', 409: 'Already exists' })`.
 */
export function ApiErrors(responses: Partial<Record<number, string>>): MethodDecorator {
  return applyDecorators(
    ...Object.entries(responses).map(([status, description]) =>
      ApiResponse({ status: Number(status), description, type: ErrorResponseDto }),
    ),
  );
}
