import { api } from '../api';
import { Card, Empty, ErrorBanner, PageHeader, TableWrap } from '../components/ui';
import { ago, text } from '../format';
import { useLoad } from '../hooks';
import { Link } from '../nav';

export interface RouterJson {
  name: string;
  displayName?: string;
  routes?: Array<{ route: { route_id: string; variants?: unknown[] }; condition?: { cel_expression?: string } }>;
  defaultRoute?: { route_id: string; variants?: unknown[] };
  createTime?: string;
  updateTime?: string;
}

export const routerId = (name: string) => name.replace(/^routers\//, '');

export function Routers() {
  const load = useLoad(() => api<{ routers: RouterJson[] }>('GET', '/router/v1/routers?page_size=1000'), []);
  const routers = load.data?.routers ?? [];
  return (
    <>
      <PageHeader title="Routers">
        <Link to="/routers/new" className="button">
          New router
        </Link>
      </PageHeader>
      <ErrorBanner error={load.error} />
      {load.data && routers.length === 0 && (
        <Empty>
          No routers yet. A router picks a model per request with CEL conditions and weighted variants; requests use it with <code>model: "router/&lt;id&gt;"</code>.
        </Empty>
      )}
      {routers.length > 0 && (
        <Card>
          <TableWrap label="Routers">
            <table>
              <thead>
                <tr>
                  <th scope="col">Router</th>
                  <th scope="col">Display name</th>
                  <th scope="col">Routes</th>
                  <th scope="col">Default route</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {routers.map((r) => (
                  <tr key={r.name}>
                    <th scope="row">
                      <Link to={`/routers/${encodeURIComponent(routerId(r.name))}`}>{routerId(r.name)}</Link>
                    </th>
                    <td>{text(r.displayName)}</td>
                    <td>{(r.routes ?? []).map((x) => x.route.route_id).join(', ') || '—'}</td>
                    <td>{r.defaultRoute ? `${r.defaultRoute.route_id} (${r.defaultRoute.variants?.length ?? 0} variant${r.defaultRoute.variants?.length === 1 ? '' : 's'})` : '—'}</td>
                    <td>{ago(r.updateTime)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </Card>
      )}
    </>
  );
}
