import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseIntPipe,
  Post,
  Put,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBearerAuth,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import type { Notify } from '@dizi/notify';
import { AdminAuthGuard } from './admin-auth.guard';
import { NOTIFY } from './admin.tokens';

export class BindPhoneDto {
  @ApiProperty({ example: '13800138000' }) @IsString() @Length(5, 32) number!: string;
}

export class DomainAlertSettingsDto {
  @ApiPropertyOptional({
    example: '{from}: {subject}',
    nullable: true,
    description: 'Alert text with {from}, {time}, {subject}, {body}; null: notify.alertTemplate',
  })
  @IsOptional()
  @IsString()
  @Length(0, 500)
  template?: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Segments 1-5; null: notify.alertSegments' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5)
  segments?: number | null;
}

export class ConfirmPhoneDto {
  @ApiProperty({ example: '123456' }) @IsString() @Matches(/^\d{6}$/) code!: string;
}

export class AddAlertRuleDto {
  @ApiPropertyOptional({ type: [String], example: ['boss@example.com', '@example.com'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  senders?: string[];
  @ApiPropertyOptional({ type: [String], example: ['合同', 'urgent'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  keywords?: string[];
  @ApiPropertyOptional({ enum: ['any', 'high'], description: 'high: only high-priority mail' })
  @IsOptional()
  @IsIn(['any', 'high'])
  priority?: 'any' | 'high';
  @ApiPropertyOptional({ example: 'INBOX' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  folder?: string;
  @ApiPropertyOptional({ example: '22:00-07:00' })
  @IsOptional()
  @IsString()
  @Matches(/^\d\d:\d\d-\d\d:\d\d$/)
  quietHours?: string;
  @ApiPropertyOptional({ description: 'Alerts a day at most (default: notify.defaultDailyCap)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  dailyCap?: number;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
}

/**
 * A user's mobile number and arrival alert rules (issue 5). PUT binds as an admin (no
 * code); POST …/phone/code and …/phone/confirm are the user's two-step binding.
 */
@ApiTags('notify')
@ApiBasicAuth()
@ApiBearerAuth()
@UseGuards(AdminAuthGuard)
@Controller('api/admin/users/:address')
export class NotifyController {
  constructor(@Inject(NOTIFY) private readonly notify: Notify) {}

  @Get('phone') phone(@Param('address') address: string) {
    return this.notify.phones.get(address);
  }

  @Put('phone') bind(@Param('address') address: string, @Body() dto: BindPhoneDto) {
    return this.notify.phones.bindByAdmin(address, dto.number);
  }

  @Delete('phone') @HttpCode(204) async unbind(@Param('address') address: string) {
    await this.notify.phones.unbind(address);
  }

  /** Sends a 6-digit code to the number; the binding is unconfirmed until it comes back. */
  @Post('phone/code') requestCode(@Param('address') address: string, @Body() dto: BindPhoneDto) {
    return this.notify.phones.requestCode(address, dto.number);
  }

  @Post('phone/confirm') @HttpCode(200) confirm(
    @Param('address') address: string,
    @Body() dto: ConfirmPhoneDto,
  ) {
    return this.notify.phones.confirm(address, dto.code);
  }

  @Get('alerts') rules(@Param('address') address: string) {
    return this.notify.rules.list(address);
  }

  @Post('alerts') addRule(@Param('address') address: string, @Body() dto: AddAlertRuleDto) {
    return this.notify.rules.add(address, {
      senders: dto.senders,
      keywords: dto.keywords,
      highPriority: dto.priority === 'high',
      folder: dto.folder,
      quietHours: dto.quietHours,
      dailyCap: dto.dailyCap,
      enabled: dto.enabled,
    });
  }

  /** The alerts the user got (or that were held back), newest first. */
  @Get('alerts/history') history(@Param('address') address: string) {
    return this.notify.history(address);
  }

  @Delete('alerts/:id') @HttpCode(204) async removeRule(
    @Param('address') address: string,
    @Param('id', ParseIntPipe) id: number,
  ) {
    await this.notify.rules.remove(address, id);
  }
}

/** A domain's own alert template and length (issue 5: "a template per domain"). */
@ApiTags('notify')
@ApiBasicAuth()
@ApiBearerAuth()
@UseGuards(AdminAuthGuard)
@Controller('api/admin/domains/:name/alert-settings')
export class DomainAlertsController {
  constructor(@Inject(NOTIFY) private readonly notify: Notify) {}

  @Get() get(@Param('name') name: string) {
    return this.notify.domainSettings.get(name);
  }

  /** Fields left out stay; null (or an empty template) goes back to the configuration. */
  @Put() set(@Param('name') name: string, @Body() dto: DomainAlertSettingsDto) {
    return this.notify.domainSettings.set(name, { template: dto.template, segments: dto.segments });
  }
}
