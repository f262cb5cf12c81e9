import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Min,
} from 'class-validator';
import {
  POST_POLICIES,
  SMS_COMMANDS,
  SMS_REGISTER_POLICIES,
  SmsCommandName,
  SmsRegisterPolicy,
} from '@dizi/store';

export class CreateDomainDto {
  @ApiProperty({ example: 'example.com' }) @IsString() @Length(1, 253) name!: string;
}

export class UpdateDomainDto {
  @ApiPropertyOptional({ description: 'IMAP access for users of the domain' })
  @IsOptional()
  @IsBoolean()
  imap?: boolean;
  @ApiPropertyOptional({ description: 'POP3 access for users of the domain' })
  @IsOptional()
  @IsBoolean()
  pop3?: boolean;
  @ApiPropertyOptional({
    description: "Total space in MB, shared out as users' quotas; 0 = unlimited",
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  quotaMb?: number;
  @ApiPropertyOptional({ description: 'Most users the domain may have; 0 = unlimited' })
  @IsOptional()
  @IsInt()
  @Min(0)
  maxUsers?: number;
  @ApiPropertyOptional({
    enum: SMS_REGISTER_POLICIES,
    description: 'open: an unbound phone may register a mailbox here by SMS',
  })
  @IsOptional()
  @IsIn(SMS_REGISTER_POLICIES)
  smsRegister?: SmsRegisterPolicy;
  @ApiPropertyOptional({
    type: [String],
    enum: SMS_COMMANDS,
    description: 'SMS account commands the domain allows ([] = none)',
  })
  @IsOptional()
  @IsArray()
  @IsIn(SMS_COMMANDS, { each: true })
  smsCommands?: SmsCommandName[];
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '106588880101',
    description: 'service number (+ extension) whose SMS belong to this domain; null: none',
  })
  @IsOptional() // null passes too: it clears the number
  @Matches(/^\+?\d{3,21}$/, { message: 'smsNumber must be 3-21 digits (or null)' })
  smsNumber?: string | null;
}

export class CreateUserDto {
  @ApiProperty({ example: 'alice@example.com' }) @IsString() @Length(3, 320) address!: string;
  @ApiProperty({ minLength: 8 }) @IsString() @Length(8, 1024) password!: string;
  @ApiPropertyOptional({ description: 'Quota in MB; 0 = unlimited' })
  @IsOptional()
  @IsInt()
  @Min(0)
  quotaMb?: number;
  @ApiPropertyOptional({ enum: ['user', 'domain-admin', 'admin'] })
  @IsOptional()
  @IsIn(['user', 'domain-admin', 'admin'])
  role?: 'user' | 'domain-admin' | 'admin';
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 255) displayName?: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ minLength: 8 })
  @IsOptional()
  @IsString()
  @Length(8, 1024)
  password?: string;
  @ApiPropertyOptional({ description: 'Quota in MB; 0 = unlimited' })
  @IsOptional()
  @IsInt()
  @Min(0)
  quotaMb?: number;
  @ApiPropertyOptional({
    description: 'false: logins fail and mail is refused; the messages stay (true restores)',
  })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class CreateAliasDto {
  @ApiProperty({ example: 'sales@example.com' }) @IsString() @Length(3, 320) address!: string;
  @ApiProperty({ type: [String], example: ['alice@example.com'] })
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  targets!: string[];
}

export class CreateGroupDto {
  @ApiProperty({ example: 'all@example.com' }) @IsString() @Length(3, 320) address!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 255) name?: string;
  @ApiPropertyOptional({ enum: POST_POLICIES })
  @IsOptional()
  @IsIn(POST_POLICIES)
  postPolicy?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() allowedSender?: string;
}

export class AddMemberDto {
  @ApiProperty({
    example: '*@example.com',
    description: 'An address, or *@domain for every user of a domain',
  })
  @IsString()
  @Length(3, 320)
  member!: string;
}
