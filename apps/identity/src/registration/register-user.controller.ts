import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IdentityRpc } from '#contracts';
import { answer } from '#messaging';
import { UserRegistration } from './user-registration.js';

@Controller()
export class RegisterUserController {
  constructor(private readonly registration: UserRegistration) {}

  @MessagePattern(IdentityRpc.registerUser.pattern)
  registerUser(@Payload() payload: unknown) {
    return answer(IdentityRpc.registerUser, payload, (request) => this.registration.register(request));
  }
}
