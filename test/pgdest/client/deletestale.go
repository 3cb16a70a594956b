package client

import (
	"context"
	"fmt"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/jackc/pgx/v5"
)

// DeleteStaleBatch removes rows an earlier sync of the same source wrote and this sync did not
// (write_mode: overwrite-delete-stale). The CLI sends one message per table, child tables included.
func (c *Client) DeleteStaleBatch(ctx context.Context, msgs message.WriteDeleteStales) error {
	return c.pool.with(ctx, func(conn *pgx.Conn) error {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			for _, msg := range msgs {
				sql := fmt.Sprintf("DELETE FROM %s WHERE %s = $1 AND %s < $2",
					quote(msg.TableName), quote(schema.CqSourceNameColumn.Name), quote(schema.CqSyncTimeColumn.Name))
				tag, err := tx.Exec(ctx, sql, msg.SourceName, msg.SyncTime.UTC())
				if err != nil {
					return fmt.Errorf("delete stale rows from %s: %w", msg.TableName, err)
				}
				c.logger.Debug().Str("table", msg.TableName).Int64("rows", tag.RowsAffected()).Msg("deleted stale rows")
			}
			return nil
		})
	})
}
