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
export * from './notify.entity';

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
  UserPhoneEntity,
  AlertRuleEntity,
  AlertEntity,
  AlertCounterEntity,
  AlertWatermarkEntity,
  DomainAlertSettingsEntity,
];
