import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ClientIp } from './client-ip.js';

/**
 * The caller's address as the gateway sees it (and so as the IP allow-list
 * will judge it): the web app warns an admin about to save a list that would
 * shut out the address they are using.
 */
@ApiTags('self-service')
@ApiBearerAuth()
@Controller('v1/me/address')
export class ClientAddressController {
  @Get()
  @ApiOperation({ summary: 'Your address as the gateway sees it (what the IP allow-list is checked against)' })
  address(@ClientIp() ip: string): { ip: string } {
    return { ip };
  }
}
