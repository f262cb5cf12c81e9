import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
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
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { USER_MAIL_MAX_RECIPIENTS, type Notify } from '@dizi/notify';
import { AdminAuthGuard } from './admin-auth.guard';
import { NOTIFY } from './admin.tokens';

export class AddContactDto {
  @ApiPropertyOptional({ example: '李四' }) @IsOptional() @IsString() @Length(0, 255) name?: string;
  @ApiProperty({ example: 'li@example.com' }) @IsString() @Length(3, 320) email!: string;
  @ApiProperty({ example: '13800138000' }) @IsString() @Length(5, 32) mobile!: string;
}

export class SendMailDto {
  @ApiProperty({
    type: [String],
    example: ['li@example.com'],
    description: 'One address or a list',
  })
  // A single address is taken as a list of one.
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(USER_MAIL_MAX_RECIPIENTS)
  @IsString({ each: true })
  to!: string[];
  @ApiProperty({ example: '会议通知' }) @IsString() @MaxLength(998) subject!: string;
  @ApiProperty({ example: '明天下午三点开会。' }) @IsString() @MaxLength(1_000_000) text!: string;
  @ApiPropertyOptional({ description: 'Also tell the recipients by SMS (send-time notice)' })
  @IsOptional()
  @IsBoolean()
  notifySms?: boolean;
}

/**
 * A user's address book (contacts: name, e-mail, mobile) and mail sent on the user's
 * behalf, optionally with a send-time SMS notice to its recipients (issue 5, H3).
 */
@ApiTags('notify')
@ApiBasicAuth()
@ApiBearerAuth()
@UseGuards(AdminAuthGuard)
@Controller('api/admin/users/:address')
export class MobileMailController {
  constructor(@Inject(NOTIFY) private readonly notify: Notify) {}

  @Get('contacts') contacts(@Param('address') address: string) {
    return this.notify.contacts.list(address);
  }

  @Post('contacts') addContact(@Param('address') address: string, @Body() dto: AddContactDto) {
    return this.notify.contacts.add(address, dto);
  }

  /** `:contact` is the contact's id or its e-mail. */
  @Delete('contacts/:contact') @HttpCode(204) async removeContact(
    @Param('address') address: string,
    @Param('contact') contact: string,
  ) {
    await this.notify.contacts.remove(address, contact);
  }

  /**
   * Sends a plain-text mail as the user (an authenticated submission through the
   * spool); 202: accepted for delivery, bounces go to the user's mailbox.
   */
  @Post('mail') @HttpCode(202) sendMail(
    @Param('address') address: string,
    @Body() dto: SendMailDto,
  ) {
    return this.notify.mail.send(address, dto);
  }
}
