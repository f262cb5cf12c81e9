import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One alias address to one target address; an alias with several targets has several rows. */
@Entity('aliases')
@Index(['address', 'target'], { unique: true })
export class AliasEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Index() @Column({ type: 'varchar', length: 320 }) address!: string;
  @Column({ type: 'varchar', length: 320 }) target!: string;
}
