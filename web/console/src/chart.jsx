import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { number } from './format.js';

const palette = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'];

// Chart draws series over time with uPlot, as bars (one x per day or
// month). Screen readers get the same numbers as a table, which sighted
// users can open too.
//
//   x:      Date[]; labels: string[] (one per x, for the table)
//   series: [{ label, values: number[], cells?: string[] }]: cells, when
//           given, are the table's exact text of the values
//   format: number -> text, for the axis, the legend and the table
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// tick labels one x each (a day's number, or a month's name), thinned out
// when they would not fit.
function ticks(unit) {
  return (u, splits) => {
    const every = Math.ceil(splits.length / Math.max(1, Math.floor(u.bbox.width / devicePixelRatio / 42)));
    return splits.map((t, i) => {
      if (i % every) return '';
      const d = new Date(t * 1000);
      return unit === 'month' ? months[d.getMonth()] : String(d.getDate());
    });
  };
}

export function Chart({ id, title, x, labels, series, unit = 'day', height = 260, format = number }) {
  const box = useRef(null);
  useEffect(() => {
    const el = box.current;
    if (!el || !x.length) return undefined;
    // One series: bars; several: lines with points, which stay readable
    // where side-by-side bars would not.
    const bars = series.length === 1 ? uPlot.paths.bars({ size: [0.7, 48], gap: 1 }) : undefined;
    const opts = {
      width: Math.max(el.clientWidth, 320),
      height,
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max, 1) * 1.1] } },
      axes: [{ splits: (u) => u.data[0], values: ticks(unit) }, { values: (u, ticks) => ticks.map(format), size: 60 }],
      series: [
        { label: unit === 'month' ? 'Month' : 'Day', value: (u, v) => (v ? labels[u.data[0].indexOf(v)] || '' : '') },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: palette[i % palette.length],
          width: 2,
          fill: bars ? palette[i % palette.length] + 'cc' : undefined,
          paths: bars,
          points: { show: !bars, size: 6 },
          value: (u, v) => (v === null || v === undefined ? '' : format(v)),
        })),
      ],
      legend: { show: true },
    };
    const data = [x.map((d) => d.getTime() / 1000), ...series.map((s) => s.values)];
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 320), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [x, series, height, unit, format]);
  return (
    <figure class="chart" aria-labelledby={id + '-title'} data-chart={id}>
      <figcaption id={id + '-title'}>{title}</figcaption>
      {x.length ? <div ref={box} class="chart-plot" aria-hidden="true" /> : <p>No data for this period.</p>}
      <details>
        <summary>Show as a table</summary>
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Period</th>
                {series.map((s) => (
                  <th scope="col" class="num">{s.label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {labels.map((l, i) => (
                <tr>
                  <th scope="row">{l}</th>
                  {series.map((s) => (
                    <td class="num">{s.cells ? s.cells[i] : format(s.values[i] || 0)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
