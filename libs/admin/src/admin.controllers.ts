import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DirectoryService } from '@dizi/directory';
import { DomainEntity, UserEntity } from '@dizi/store';
import { AdminAuthGuard } from './admin-auth.guard';
import {
  AddMemberDto,
  CreateAliasDto,
  CreateDomainDto,
  CreateGroupDto,
  CreateUserDto,
  UpdateDomainDto,
  UpdateUserDto,
} from './admin.dto';
import { DIRECTORY_SERVICE, QUEUE_ADMIN } from './admin.tokens';
import { QueueAdmin } from './queue-admin';

const MB = 1024 * 1024;

function domainView(d: DomainEntity) {
  return {
    name: d.name,
    enabled: d.enabled,
    imap: d.imapEnabled,
    pop3: d.pop3Enabled,
    quotaMb: Math.round(d.quotaBytes / MB),
    maxUsers: d.maxUsers,
    smsRegister: d.smsRegister,
    smsCommands: d.smsCommands ? d.smsCommands.split(',') : [],
    smsNumber: d.smsNumber,
  };
}

/** A user as the API shows it: never the password hash. */
export function userView(u: UserEntity) {
  return {
    address: u.address,
    displayName: u.displayName,
    role: u.role,
    enabled: u.enabled,
    quotaMb: Math.round(u.quotaBytes / MB),
    usedBytes: u.usedBytes,
    createdAt: new Date(u.createdAt).toISOString(),
  };
}

@ApiTags('domains')
@ApiBasicAuth()
@ApiBearerAuth()
@UseGuards(AdminAuthGuard)
@Controller('api/admin/domains')
export class DomainsController {
  constructor(@Inject(DIRECTORY_SERVICE) private readonly dir: DirectoryService) {}

  @Get() async list() {
    return (await this.dir.listDomains()).map(domainView);
  }
  @Post() async add(@Body() dto: CreateDomainDto) {
    return domainView(await this.dir.addDomain(dto.name));
  }
  @Patch(':name') async update(@Param('name') name: string, @Body() dto: UpdateDomainDto) {
    if (dto.quotaMb !== undefined || dto.maxUsers !== undefined)
      await this.dir.setDomainLimits(name, { quotaMb: dto.quotaMb, maxUsers: dto.maxUsers });
    await this.dir.setDomainSms(name, {
      register: dto.smsRegister,
      commands: dto.smsCommands,
      number: dto.smsNumber,
    });
    return domainView(await this.dir.setDomainAccess(name, { imap: dto.imap, pop3: dto.pop3 }));
  }
  @Delete(':name') @HttpCode(204) async remove(@Param('name') name: string) {
    await this.dir.removeDomain(name);
  }
}

@ApiTags('users')
@ApiBasicAuth()
@ApiBearerAuth()
@UseGuards(AdminAuthGuard)
@Controller('api/admin/users')
export class UsersController {
  constructor(@Inject(DIRECTORY_SERVICE) private readonly dir: DirectoryService) {}

  @Get() async list(@Query('domain') domain?: string) {
    return (await this.dir.listUsers(domain)).map(userView);
  }
  @Get(':address') async get(@Param('address') address: string) {
    return userView(await this.dir.getUser(address));
  }
  @Post() async add(@Body() dto: CreateUserDto) {
    return userView(await this.dir.addUser(dto));
  }
  @Patch(':address') async update(@Param('address') address: string, @Body() dto: UpdateUserDto) {
    if (dto.password !== undefined) await this.dir.setPassword(address, dto.password);
    if (dto.quotaMb !== undefined) await this.dir.setQuota(address, dto.quotaMb);
    if (dto.enabled !== undefined) await this.dir.setEnabled(address, dto.enabled);
    return userView(await this.dir.getUser(address));
  }
  @Delete(':address') @HttpCode(204) async remove(@Param('address') address: string) {
    await this.dir.removeUser(address);
  }
}

@ApiTags('aliases')
@ApiBasicAuth()
@ApiBearerAuth()
@UseGuards(AdminAuthGuard)
@Controller('api/admin/aliases')
export class AliasesController {
  constructor(@Inject(DIRECTORY_SERVICE) private readonly dir: DirectoryService) {}

  @Get() list() {
    return this.dir.listAliases();
  }
  @Post() async add(@Body() dto: CreateAliasDto) {
    await this.dir.addAlias(dto.address, dto.targets);
    return { address: dto.address, targets: dto.targets };
  }
  @Delete(':address') @HttpCode(204) async remove(@Param('address') address: string) {
    await this.dir.removeAlias(address);
  }
}

@ApiTags('groups')
@ApiBasicAuth()
@ApiBearerAuth()
@UseGuards(AdminAuthGuard)
@Controller('api/admin/groups')
export class GroupsController {
  constructor(@Inject(DIRECTORY_SERVICE) private readonly dir: DirectoryService) {}

  @Get() list() {
    return this.dir.listGroups();
  }
  @Post() async add(@Body() dto: CreateGroupDto) {
    const g = await this.dir.addGroup(dto.address, dto);
    return { address: g.address, name: g.name, postPolicy: g.postPolicy };
  }
  @Post(':address/members') async addMember(
    @Param('address') address: string,
    @Body() dto: AddMemberDto,
  ) {
    await this.dir.addGroupMember(address, dto.member);
    return (await this.dir.listGroups()).find((g) => g.address === address.toLowerCase());
  }
  @Delete(':address/members/:member') @HttpCode(204) async removeMember(
    @Param('address') address: string,
    @Param('member') member: string,
  ) {
    await this.dir.removeGroupMember(address, member);
  }
  @Delete(':address') @HttpCode(204) async remove(@Param('address') address: string) {
    await this.dir.removeGroup(address);
  }
}

@ApiTags('queue')
@ApiBasicAuth()
@ApiBearerAuth()
@UseGuards(AdminAuthGuard)
@Controller('api/admin/queue')
export class QueueController {
  constructor(@Inject(QUEUE_ADMIN) private readonly queue: QueueAdmin) {}

  @Get() list() {
    return this.queue.list();
  }
  @Post(':id/retry') async retry(@Param('id') id: string) {
    return { id, recipients: await this.queue.retry(id) };
  }
  @Delete(':id') @HttpCode(204) async remove(@Param('id') id: string) {
    await this.queue.remove(id);
  }
}
