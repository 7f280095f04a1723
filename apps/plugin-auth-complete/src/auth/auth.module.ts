import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { RegistrationService } from './registration.service';

@Module({
  controllers: [AuthController],
  providers: [AuthService, RegistrationService],
})
export class AuthModule {}
