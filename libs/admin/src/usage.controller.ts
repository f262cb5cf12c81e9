import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Put,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBearerAuth,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches, ValidateBy } from 'class-validator';
import type { Response } from 'express';
import { Billing, EXPORT_FORMATS, parsePrice, TOTALS_BY, totalsText } from '@dizi/billing';
import { AdminAuthGuard } from './admin-auth.guard';

/** DI token of the Billing service (usage records, plans). */
export const BILLING = Symbol('Billing');

const PERIOD_HELP = 'a date (YYYY-MM-DD, local day, included) or an ISO 8601 time with a zone';

export class UsageExportQuery {
  @ApiProperty({ example: '2024-11-01', description: `Start: ${PERIOD_HELP}` })
  @IsString({ message: `from is required: ${PERIOD_HELP}` })
  from!: string;
  @ApiProperty({
    example: '2024-11-30',
    description: `End: ${PERIOD_HELP}; an instant is excluded`,
  })
  @IsString({ message: `to is required: ${PERIOD_HELP}` })
  to!: string;
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: string;
  @ApiPropertyOptional({ example: 'li@example.com', description: 'Only this user' })
  @IsOptional()
  @IsString()
  user?: string;
  @ApiPropertyOptional({ example: 'example.com', description: 'Only this domain' })
  @IsOptional()
  @IsString()
  domain?: string;
}

export class UsageTotalsQuery extends UsageExportQuery {
  @ApiPropertyOptional({ enum: TOTALS_BY, default: 'user' })
  @IsOptional()
  @IsIn(TOTALS_BY)
  by?: string;
}

/** A price as a decimal string or number, in currency units, at most 6 decimals. */
function IsPrice(): PropertyDecorator {
  return ValidateBy({
    name: 'isPrice',
    validator: {
      validate: (v: unknown) => {
        try {
          parsePrice(v, 'price');
          return true;
        } catch {
          return false;
        }
      },
      defaultMessage: (args) =>
        `${args?.property ?? 'price'} must be an amount like 0.10 (not negative, at most 6 decimals)`,
    },
  });
}

const PRICE_DOC = { type: String, example: '0.10' };

export class SavePlanDto {
  @ApiPropertyOptional({ example: 'CNY' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z]{3}$/, { message: 'currency is a 3-letter ISO 4217 code, e.g. CNY' })
  currency?: string;
  @ApiPropertyOptional({ ...PRICE_DOC, description: 'Per SMS segment' })
  @IsOptional()
  @IsPrice()
  smsSegment?: string | number;
  @ApiPropertyOptional({ ...PRICE_DOC, description: 'Per MMS (no MMS gateway yet)' })
  @IsOptional()
  @IsPrice()
  mms?: string | number;
  @ApiPropertyOptional({ ...PRICE_DOC, description: 'Per arrival alert sent' })
  @IsOptional()
  @IsPrice()
  alert?: string | number;
  @ApiPropertyOptional({ ...PRICE_DOC, description: 'Per MB of storage per day' })
  @IsOptional()
  @IsPrice()
  storageMbDay?: string | number;
  @ApiPropertyOptional({ ...PRICE_DOC, description: 'Per MB of mail received or sent' })
  @IsOptional()
  @IsPrice()
  trafficMb?: string | number;
  @ApiPropertyOptional({ ...PRICE_DOC, description: 'Per user per period' })
  @IsOptional()
  @IsPrice()
  periodFee?: string | number;
  @ApiPropertyOptional({ enum: ['month', 'day'] })
  @IsOptional()
  @IsIn(['month', 'day'])
  period?: 'month' | 'day';
}

export class AssignPlanDto {
  @ApiProperty({ example: 'basic' }) @IsString() @Length(1, 64) plan!: string;
}

/**
 * Usage records and billing (H16): the record export a carrier's billing system pulls
 * (CSV or JSON, streamed page by page), rated totals per user or domain, rating plans
 * and their assignment to domains and users.
 */
@ApiTags('usage')
@ApiBasicAuth()
@ApiBearerAuth()
@UseGuards(AdminAuthGuard)
@Controller('api/admin')
export class UsageController {
  constructor(@Inject(BILLING) private readonly billing: Billing) {}

  /** The raw records of a period (this node's buffered records are written first). */
  @Get('usage') async records(@Query() q: UsageExportQuery, @Res() res: Response): Promise<void> {
    await this.billing.recorder.flush();
    const exp = await this.billing.prepareExport(q, 'json');
    res.status(200);
    res.setHeader('content-type', exp.contentType);
    res.setHeader('content-disposition', `attachment; filename="${exp.fileName}"`);
    try {
      await exp.write((chunk) => writeChunk(res, chunk));
      res.end();
    } catch (err) {
      // Headers are out: all that can be done is to cut the response short.
      res.destroy(err as Error);
    }
  }

  /** Rated totals of a period per user or per domain, JSON (default) or CSV. */
  @Get('usage/totals') async totals(
    @Query() q: UsageTotalsQuery,
    @Res() res: Response,
  ): Promise<void> {
    await this.billing.recorder.flush();
    const report = await this.billing.totals(q);
    const format = q.format === 'csv' ? 'csv' : 'json';
    res.status(200);
    res.setHeader(
      'content-type',
      format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    );
    try {
      for (const chunk of totalsText(report, format)) await writeChunk(res, chunk);
      res.end();
    } catch (err) {
      res.destroy(err as Error);
    }
  }

  @Get('plans') plans() {
    return this.billing.plans.list();
  }

  @Get('plans/:name') plan(@Param('name') name: string) {
    return this.billing.plans.get(name);
  }

  /** Creates the plan, or changes the prices given (the others stay). */
  @Put('plans/:name') async savePlan(@Param('name') name: string, @Body() dto: SavePlanDto) {
    return (await this.billing.plans.save(name, dto)).plan;
  }

  @Put('domains/:domain/plan') @HttpCode(204) async assignDomain(
    @Param('domain') domain: string,
    @Body() dto: AssignPlanDto,
  ) {
    await this.billing.plans.assignDomain(domain, dto.plan);
  }

  @Delete('domains/:domain/plan') @HttpCode(204) async unassignDomain(
    @Param('domain') domain: string,
  ) {
    await this.billing.plans.assignDomain(domain, null);
  }

  @Put('users/:address/plan') @HttpCode(204) async assignUser(
    @Param('address') address: string,
    @Body() dto: AssignPlanDto,
  ) {
    await this.billing.plans.assignUser(address, dto.plan);
  }

  @Delete('users/:address/plan') @HttpCode(204) async unassignUser(
    @Param('address') address: string,
  ) {
    await this.billing.plans.assignUser(address, null);
  }
}

/** Writes one chunk, waiting while the client is slower than the database. */
function writeChunk(res: Response, chunk: string): Promise<void> {
  if (!chunk) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (res.destroyed) return reject(new Error('the client went away'));
    if (res.write(chunk)) return resolve();
    const onDrain = () => {
      res.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      res.off('drain', onDrain);
      reject(new Error('the client went away'));
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
