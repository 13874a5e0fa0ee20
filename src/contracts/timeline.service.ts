import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { toPage, type Page, type PageQuery } from '../common/pagination.js';
import { assertLiveEnterprise } from '../enterprises/enterprise-access.js';
import type { TimelineEntryView } from './dto/timeline.dto.js';
import { timelineCursor, timelineQuery, type TimelineRow } from './timeline.query.js';

/** Everything that happened with an enterprise, newest first, from every source at once. */
@Injectable()
export class TimelineService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(enterpriseId: string, query: PageQuery): Promise<Page<TimelineEntryView>> {
    await assertLiveEnterprise(this.dataSource, enterpriseId);
    const { text, values } = timelineQuery(enterpriseId, query.limit, query.cursor);
    const rows: TimelineRow[] = await this.dataSource.query(text, values);
    const page = toPage(rows, query.limit, timelineCursor);
    return {
      data: page.data.map((r) => ({
        at: r.at,
        kind: r.kind,
        title: r.title,
        detail: r.detail,
        ref: { type: r.ref_type, id: r.ref_id },
      })),
      nextCursor: page.nextCursor,
    };
  }
}
