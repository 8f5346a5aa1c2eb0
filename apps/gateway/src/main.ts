import 'reflect-metadata';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HELLO } from '#contracts';

@Injectable()
export class Svc { hi() { return HELLO; } }

@Controller()
export class Ctl {
  constructor(private readonly svc: Svc) {}
  @Get('/health') h() { return { s: this.svc.hi() }; }
}

@Module({ controllers: [Ctl], providers: [Svc] })
export class AppModule {}

const app = await NestFactory.create(AppModule, { logger: false });
await app.listen(3999, '127.0.0.1');
console.log(await (await fetch('http://127.0.0.1:3999/health')).text());
await app.close();
