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
  UseGuards,
} from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBearerAuth,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import type { Notify } from '@dizi/notify';
import { REMINDER_REPEATS } from '@dizi/notify';
import { AdminAuthGuard } from './admin-auth.guard';
import { NOTIFY } from './admin.tokens';

export class AddReminderDto {
  @ApiProperty({ example: '2026-12-24T09:00:00+08:00', description: 'First (or only) time' })
  @IsISO8601()
  at!: string;
  @ApiProperty({ example: '下午三点项目评审' }) @IsString() @Length(1, 500) text!: string;
  @ApiPropertyOptional({ enum: REMINDER_REPEATS, default: 'none' })
  @IsOptional()
  @IsIn(REMINDER_REPEATS)
  repeat?: string;
}

/** SMS reminders to a user's own bound phone (H7). */
@ApiTags('notify')
@ApiBasicAuth()
@ApiBearerAuth()
@UseGuards(AdminAuthGuard)
@Controller('api/admin/users/:address/reminders')
export class RemindersController {
  constructor(@Inject(NOTIFY) private readonly notify: Notify) {}

  @Get() list(@Param('address') address: string) {
    return this.notify.reminders.list(address);
  }

  @Post() add(@Param('address') address: string, @Body() dto: AddReminderDto) {
    return this.notify.reminders.add(address, dto);
  }

  @Delete(':id') @HttpCode(204) async remove(
    @Param('address') address: string,
    @Param('id', ParseIntPipe) id: number,
  ) {
    await this.notify.reminders.remove(address, id);
  }
}
