import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem } from '../common/openapi.js';
import { Public } from './access.decorators.js';
import { AuthService } from './auth.service.js';
import { LoginDto, TokenView } from './dto/login.dto.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password; returns a Bearer token' })
  @ApiOkResponse({ type: TokenView })
  @ApiProblem(400, 'Invalid input')
  @ApiProblem(401, 'Wrong email or password')
  @ApiProblem(429, 'Too many failed attempts for this email; see Retry-After')
  login(@Body() dto: LoginDto) {
    return this.auth.login(dto.email, dto.password);
  }
}
