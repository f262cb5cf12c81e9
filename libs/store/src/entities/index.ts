import { AliasEntity } from './alias.entity';
import { BlobEntity } from './blob.entity';
import { DomainEntity } from './domain.entity';
import { FolderEntity } from './folder.entity';
import { GroupEntity, GroupMemberEntity } from './group.entity';
import { InboundDeliveryEntity } from './inbound-delivery.entity';
import { ExpungedMessageEntity, MessageEntity } from './message.entity';
import { OutboundMessageEntity, OutboundRecipientEntity } from './outbound.entity';
import { UserEntity } from './user.entity';
import { SmsMessageEntity, SmsSegmentEntity } from './sms.entity';
import { AccountCodeEntity } from './account-code.entity';
import { SmsLinkEntity } from './sms-link.entity';
import { ReminderEntity } from './reminder.entity';
import { ContactEntity } from './contact.entity';
import { MailSmsEntity } from './mail-sms.entity';
import {
  DomainPlanEntity,
  RatingPlanEntity,
  UsageRecordEntity,
  UserPlanEntity,
} from './usage.entity';
import {
  AlertCounterEntity,
  AlertEntity,
  AlertRuleEntity,
  AlertWatermarkEntity,
  DomainAlertSettingsEntity,
  UserPhoneEntity,
} from './notify.entity';

export * from './alias.entity';
export * from './blob.entity';
export * from './domain.entity';
export * from './folder.entity';
export * from './group.entity';
export * from './inbound-delivery.entity';
export * from './message.entity';
export * from './outbound.entity';
export * from './user.entity';
export * from './sms.entity';
export * from './sms-link.entity';
export * from './notify.entity';
export * from './reminder.entity';
export * from './contact.entity';
export * from './mail-sms.entity';
export * from './account-code.entity';
export * from './usage.entity';

export const ENTITIES = [
  DomainEntity,
  UserEntity,
  AliasEntity,
  GroupEntity,
  GroupMemberEntity,
  FolderEntity,
  MessageEntity,
  ExpungedMessageEntity,
  BlobEntity,
  InboundDeliveryEntity,
  OutboundMessageEntity,
  OutboundRecipientEntity,
  SmsMessageEntity,
  SmsSegmentEntity,
  SmsLinkEntity,
  UserPhoneEntity,
  AlertRuleEntity,
  AlertEntity,
  AlertCounterEntity,
  ReminderEntity,
  ContactEntity,
  MailSmsEntity,
  AccountCodeEntity,
  UsageRecordEntity,
  RatingPlanEntity,
  DomainPlanEntity,
  UserPlanEntity,
  AlertWatermarkEntity,
  DomainAlertSettingsEntity,
];
