import { Body, Controller, Delete, Get, Inject, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBearerAuth,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import type { SmsService } from '@dizi/sms';
import { AdminAuthGuard } from './admin-auth.guard';
import { SMS_SERVICE } from './admin.tokens';

export class SendSmsDto {
  @ApiProperty({ example: '13800138000' }) @IsString() @Length(5, 32) to!: string;
  @ApiProperty({ example: '您有一封新邮件' }) @IsString() @Length(1, 2000) text!: string;
  @ApiPropertyOptional({ description: 'Send at this time (ISO 8601) instead of now' })
  @IsOptional()
  @IsISO8601()
  at?: string;
}

@ApiTags('sms')
@ApiBasicAuth()
@ApiBearerAuth()
@UseGuards(AdminAuthGuard)
@Controller()
export class SmsController {
  constructor(@Inject(SMS_SERVICE) private readonly sms: SmsService) {}

  /** Queues an SMS (now, or at `at`); the answer has its id to follow it. */
  @Post('api/sms') send(@Body() dto: SendSmsDto) {
    return this.sms.send({
      to: dto.to,
      text: dto.text,
      at: dto.at ? new Date(dto.at) : undefined,
      purpose: 'api',
    });
  }

  @Get('api/sms/:id') get(@Param('id') id: string) {
    return this.sms.get(id);
  }

  /** Calls off a scheduled SMS that has not gone to a link yet (409 once it has). */
  @Delete('api/sms/:id') cancel(@Param('id') id: string) {
    return this.sms.cancel(id);
  }
}
