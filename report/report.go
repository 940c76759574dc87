// Package report writes a simulation result as one self-contained HTML
// page for briefings: the scenario, a key-findings table per material,
// every chart inline as SVG, the scenario's events and their parameters,
// and provenance. The page loads nothing from elsewhere, works offline and
// prints cleanly.
package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/reesim/reesim/drivers"
	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/output"
	"github.com/reesim/reesim/plots"
	"github.com/reesim/reesim/sim"
)

// Input is what a report is made from.
type Input struct {
	Result *sim.Result
	// Scenario, when known, supplies the description and the events.
	Scenario *model.Scenario
	// Generated is the report's date; zero means now.
	Generated time.Time
	// Charts are more charts to show after the result's own (what drives
	// the shortfall, from the run's per-trial records).
	Charts []plots.Chart
	// Discovery, when set, adds the input conditions under which the
	// worst trials concentrate (reesim discover).
	Discovery *Discovery
	// Attribution, when set, adds what each event or stockpile accounts
	// for and, where it has a cost, the dollars per tonne it avoids;
	// AttributionFigures are its charts.
	Attribution        []AttributionRow
	AttributionFigures []Figure
	// Drivers, when set, are the run's own sensitivity estimates (run
	// --sensitivity); the summary names the top ones.
	Drivers []drivers.Estimate
	// Sections are further results, each with a table and charts: a
	// sweep's indices, a comparison's differences.
	Sections []Section
}

// Section is one further result in a report: a heading, a paragraph
// saying what it is, a table and charts.
type Section struct {
	ID, Title, Intro string
	Header           []string
	Rows             [][]string
	Figures          []Figure
}

// Figure is a chart drawn elsewhere, as SVG, with its caption.
type Figure struct {
	Name, Caption string
	SVG           []byte
}

// Discovery is the box PRIM chose for an output's worst trials.
type Discovery struct {
	Output     string   `json:"output"`
	Worst      float64  `json:"worst"`      // the share of trials that count as the worst
	Conditions []string `json:"conditions"` // the box, as plain conditions
	Coverage   float64  `json:"coverage"`   // of the worst trials, the share inside the box
	Density    float64  `json:"density"`    // of the box's trials, the share among the worst
	Lift       float64  `json:"lift"`       // density over the share of all trials that are worst
	Trials     int      `json:"trials"`
	Bad        int      `json:"worst_trials"`
}

// AttributionRow is one intervention's effect on one material's expected
// total shortfall (Material "all": summed over materials), as in
// attribution.csv. Cost fields are NaN where the intervention has no cost.
type AttributionRow struct {
	Material, ID, Type             string
	AccountsFor, SE, Share         float64
	CostUSD, USDPerT, USDLo, USDHi float64
}

// chartSize is the size charts are drawn at before the page scales them.
var chartSize = plots.Options{Width: 1200, Height: 675}

type finding struct {
	Scope, ID, Label                     string
	PShort, PShortSE, Mean, MeanSE, Frac string
	P95, CVaR95, FirstShort              string
	Short                                bool
	Members                              string // a region's consumers
}

type materialSection struct {
	Material string
	Rows     []finding // all consumers, outside each restricting region, each consumer
	Regions  []finding // each consumer region
}

type event struct {
	ID, Type, Probability string
	Params                []string
}

type chart struct {
	Name, Title, Caption string
	SVG                  template.HTML
}

type section struct {
	ID, Title, Intro string
	Header           []string
	Rows             [][]string
	Charts           []chart
}

type page struct {
	Discovery         *Discovery
	Name, Description string
	R                 *sim.Result
	Generated         string
	Summary           []string // the findings in sentences
	Materials         []materialSection
	Charts            []chart
	Events            []event
	Drivers           []driverRow // all materials, largest first
	Costs             []driverRow // priced interventions, cheapest per tonne first
	AttributionCharts []chart
	Sections          []section
	Contents          []entry
}

// entry is one line of the table of contents.
type entry struct{ ID, Title string }

type driverRow struct {
	ID, Type, AccountsFor, Avoids, SE, Share, Cost, PerT, Interval string
}

// Write renders the report.
func Write(w io.Writer, in Input) error {
	r := in.Result
	gen := in.Generated
	if gen.IsZero() {
		gen = time.Now()
	}
	pg := page{Name: r.Scenario, R: r, Generated: gen.UTC().Format("2006-01-02 15:04 UTC")}
	if sc := in.Scenario; sc != nil {
		pg.Description = sc.Description
		pg.Events = events(sc)
	}
	for _, mat := range r.Materials {
		sec := materialSection{Material: mat}
		for _, m := range r.Metrics {
			if m.Material != mat || m.Metric != sim.MetricShortfall {
				continue
			}
			ps, _ := r.Find(m.Scope, m.ID, mat, sim.MetricPShort)
			fr, _ := r.Find(m.Scope, m.ID, mat, sim.MetricShortfallFrac)
			ts, _ := r.Find(m.Scope, m.ID, mat, sim.MetricTimeToShort)
			first := "never short"
			if ts.N > 0 {
				first = fmt.Sprintf("%.0f days", ts.P50)
			}
			f := finding{
				Scope: string(m.Scope), ID: m.ID, Label: output.ScopeWords(string(m.Scope), m.ID),
				PShort: pct(ps.Mean), PShortSE: pct(ps.SE),
				Mean: tonnes(m.Mean), MeanSE: tonnes(m.SE), Frac: pct(fr.Mean),
				P95: tonnes(m.P95), CVaR95: tonnes(m.CVaR95), FirstShort: first,
				Short: ps.Mean > 0,
			}
			if m.Scope == sim.ScopeRegion {
				var ids []string
				for _, c := range r.Consumers {
					if c.Region == m.ID {
						ids = append(ids, c.ID)
					}
				}
				f.Members = strings.Join(ids, ", ")
				sec.Regions = append(sec.Regions, f)
			} else {
				sec.Rows = append(sec.Rows, f)
			}
		}
		pg.Materials = append(pg.Materials, sec)
	}
	pg.Summary = summary(r, in.Attribution, in.Drivers)
	pg.Drivers, pg.Costs = attribution(in.Attribution)
	pg.Discovery = in.Discovery
	for _, c := range append(plots.Charts(r, chartSize), in.Charts...) {
		var b bytes.Buffer
		if err := c.Encode(&b, "svg", chartSize); err != nil {
			return err
		}
		pg.Charts = append(pg.Charts, chart{Name: c.Name, Title: c.Title, Caption: captionOf(c.Caption, c.Title), SVG: template.HTML(inlineSVG(b.String()))})
	}
	pg.AttributionCharts = figures(in.AttributionFigures)
	for _, sc := range in.Sections {
		pg.Sections = append(pg.Sections, section{ID: sc.ID, Title: sc.Title, Intro: sc.Intro, Header: sc.Header, Rows: sc.Rows, Charts: figures(sc.Figures)})
	}
	pg.Contents = contents(pg)
	return tmpl.Execute(w, pg)
}

// captionOf is a chart's caption, or failing one its title.
func captionOf(caption, title string) string {
	if caption != "" {
		return caption
	}
	return title
}

// figures inlines charts drawn elsewhere.
func figures(fs []Figure) []chart {
	var out []chart
	for _, f := range fs {
		out = append(out, chart{Name: f.Name, Caption: f.Caption, SVG: template.HTML(inlineSVG(string(f.SVG)))})
	}
	return out
}

// contents lists the page's sections, in order, for its table of
// contents.
func contents(pg page) []entry {
	out := []entry{{"summary", "Summary"}, {"findings", "Key findings"}}
	for _, m := range pg.Materials {
		out = append(out, entry{"findings-" + m.Material, "Key findings: " + m.Material})
	}
	out = append(out, entry{"charts", "Charts"})
	if len(pg.Events) > 0 {
		out = append(out, entry{"events", "Events"})
	}
	if pg.Discovery != nil {
		out = append(out, entry{"discovery", "Where the worst trials concentrate"})
	}
	if len(pg.Drivers) > 0 {
		out = append(out, entry{"drivers", "What drives the shortfall"})
	}
	if len(pg.Costs) > 0 {
		out = append(out, entry{"costs", "Cost-effectiveness"})
	}
	for _, s := range pg.Sections {
		out = append(out, entry{s.ID, s.Title})
	}
	if len(pg.R.Warnings) > 0 {
		out = append(out, entry{"warnings", "Warnings"})
	}
	return append(out, entry{"glossary", "Glossary"})
}

// attribution gives the attribution rows of all materials together, by
// the size of what they account for, and the priced ones by dollars per
// tonne.
func attribution(rows []AttributionRow) (all, costs []driverRow) {
	var rs []AttributionRow
	for _, r := range rows {
		if r.Material == "all" {
			rs = append(rs, r)
		}
	}
	sort.SliceStable(rs, func(a, b int) bool { return math.Abs(rs[a].AccountsFor) > math.Abs(rs[b].AccountsFor) })
	row := func(r AttributionRow) driverRow {
		d := driverRow{ID: r.ID, Type: r.Type, AccountsFor: tonnes(r.AccountsFor), Avoids: tonnes(-r.AccountsFor), SE: tonnes(r.SE), Share: pct(r.Share), Cost: output.USD(r.CostUSD), PerT: "avoids none", Interval: "-"}
		if !math.IsNaN(r.USDPerT) {
			d.PerT, d.Interval = output.USD(r.USDPerT), output.USD(r.USDLo)+" to "+output.USD(r.USDHi)
		}
		return d
	}
	for _, r := range rs {
		all = append(all, row(r))
	}
	var priced []AttributionRow
	for _, r := range rs {
		if !math.IsNaN(r.CostUSD) {
			priced = append(priced, r)
		}
	}
	key := func(r AttributionRow) float64 {
		if math.IsNaN(r.USDPerT) {
			return math.Inf(1)
		}
		return r.USDPerT
	}
	sort.SliceStable(priced, func(a, b int) bool { return key(priced[a]) < key(priced[b]) })
	for _, r := range priced {
		costs = append(costs, row(r))
	}
	return all, costs
}

// WriteFile writes DIR/report.html atomically.
func WriteFile(dir string, in Input) error {
	return output.WriteFile(filepath.Join(dir, "report.html"), func(w io.Writer) error { return Write(w, in) })
}

var xmlDecl = regexp.MustCompile(`^<\?xml[^>]*>\s*`)

// inlineSVG prepares an SVG document for inline use: no XML declaration,
// and a viewBox so the page can scale it.
func inlineSVG(s string) string {
	s = xmlDecl.ReplaceAllString(s, "")
	if !strings.Contains(s[:min(len(s), 400)], "viewBox") {
		w, h := attr(s, "width"), attr(s, "height")
		if w != "" && h != "" {
			s = strings.Replace(s, "<svg ", fmt.Sprintf(`<svg viewBox="0 0 %s %s" preserveAspectRatio="xMidYMid meet" `, strings.TrimSuffix(w, "pt"), strings.TrimSuffix(h, "pt")), 1)
		}
	}
	return s
}

func attr(s, name string) string {
	m := regexp.MustCompile(name + `="([0-9.]+)(pt)?"`).FindStringSubmatch(s[:min(len(s), 400)])
	if m == nil {
		return ""
	}
	return m[1]
}

// pct writes a share in percent to one decimal, and a share above zero
// that would round to 0.0 as "<0.1 %", so a small shortfall does not read
// as none.
func pct(v float64) string {
	switch {
	case v != v:
		return "-"
	case v > 0 && v < 0.0005:
		return "<0.1 %"
	}
	return fmt.Sprintf("%.1f %%", 100*v)
}

func tonnes(v float64) string {
	if v != v {
		return "-"
	}
	return output.Tonnes(v) + " t"
}

// events lists each event with its parameters as the scenario wrote
// them; for a scenario built in Go, which has no source, in scenario
// syntax with durations and dates in days after the start.
func events(sc *model.Scenario) []event {
	var out []event
	region := func(b model.ByRegion) string {
		s := b.Default.String()
		for r, d := range b.Region {
			s += fmt.Sprintf("; %s: %s", r, d.String())
		}
		return s
	}
	for _, e := range sc.Events {
		ev := event{ID: e.ID, Type: string(e.Type), Probability: e.Probability.String()}
		add := func(k, v string) { ev.Params = append(ev.Params, k+": "+v) }
		if len(e.Written) > 0 {
			// As the scenario wrote them; a cost in dollars as money.
			ev.Probability = "1"
			for _, f := range e.Written {
				switch {
				case f.Key == "probability":
					ev.Probability = f.Value
				case f.Key == "cost" && e.Buildout != nil && e.Buildout.Cost > 0:
					add(f.Key, output.USD(e.Buildout.Cost))
				default:
					add(f.Key, f.Value)
				}
			}
			out = append(out, ev)
			continue
		}
		switch {
		case e.Restriction != nil:
			r := e.Restriction
			add("region", r.Region)
			add("materials", strings.Join(r.Materials, ", "))
			add("stages", strings.Join(r.Stages, ", "))
			if r.Start != nil {
				add("start", r.Start.String())
			} else {
				add("start", "only on escalation")
			}
			add("duration", r.Duration.String())
			add("allowed", region(r.Allowed))
			if r.LicenceDelay != nil {
				add("licence delay", r.LicenceDelay.String())
				add("delay allowed", region(r.DelayAllowed))
			}
		case e.Truce != nil:
			t := e.Truce
			add("suspends", strings.Join(t.Suspends, ", "))
			add("start", t.Start.String())
			add("duration", t.Duration.String())
			add("allowed", region(t.Allowed))
			add("lag", t.Lag.String())
			add("ramp", t.Ramp.String())
			if rn := t.Renewal; rn != nil {
				add("renewal", fmt.Sprintf("probability %s, duration %s, at most %d", rn.Probability.String(), rn.Duration.String(), rn.Max))
			}
			if ol := t.OnLapse; ol != nil {
				add("on lapse", fmt.Sprintf("escalate to %s with probability %s", ol.Escalate, ol.Probability.String()))
			}
		case e.Buildout != nil:
			b := e.Buildout
			add("node", b.Node)
			for _, m := range sc.Materials {
				if d, ok := b.Capacity[m]; ok {
					add("capacity "+m, d.String()+" t/yr")
				}
			}
			add("online", b.Online.String())
			add("ramp", b.Ramp.String())
			if b.Cost > 0 {
				add("cost", output.USD(b.Cost))
			}
		case e.Outage != nil:
			o := e.Outage
			add("nodes", strings.Join(o.Nodes, ", "))
			if o.Rate != nil {
				add("rate", o.Rate.String()+" per year")
			}
			if o.Start != nil {
				add("start", o.Start.String())
			}
			add("duration", o.Duration.String())
			add("loss", o.Loss.String())
		}
		out = append(out, ev)
	}
	return out
}

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{"pct": pct}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>reesim report: {{.Name}}</title>
<style>
body { font-family: "Liberation Serif", Georgia, serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #111; line-height: 1.4; }
h1 { font-size: 1.8em; margin-bottom: 0.2em; }
h2 { border-bottom: 1px solid #bbb; padding-bottom: 0.2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.95em; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #ddd; text-align: right; }
th { background: #f2f2f2; }
td.l, th.l { text-align: left; }
tr.total td { font-weight: bold; }
.note { color: #444; font-size: 0.9em; }
figure { margin: 1.2em 0; page-break-inside: avoid; break-inside: avoid; }
figure svg { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #333; }
ul.params { margin: 0; padding-left: 1.2em; text-align: left; }
nav#contents { background: #f7f7f7; border: 1px solid #ddd; padding: 0.4em 1em; margin: 1em 0; }
nav#contents ol { margin: 0.3em 0; padding-left: 1.4em; columns: 2; }
nav#contents a { color: #0b4f8a; text-decoration: none; }
#summary p { font-size: 1.05em; }
@media print { nav#contents { display: none; } }
@media print { body { max-width: none; margin: 0; } h2 { page-break-after: avoid; } table { page-break-inside: avoid; } }
</style>
</head>
<body>
<h1>{{.Name}}</h1>
{{if .Description}}<p>{{.Description}}</p>{{end}}
<table id="provenance">
<tr><th class="l">reesim version</th><td class="l">{{if .R.Version}}{{.R.Version}}{{else}}library{{end}}</td></tr>
<tr><th class="l">scenario SHA-256</th><td class="l"><code>{{.R.ScenarioSHA256}}</code></td></tr>
{{if .R.Overrides}}<tr><th class="l">overrides</th><td class="l">{{range .R.Overrides}}<code>{{.}}</code> {{end}}</td></tr>{{end}}
<tr><th class="l">trials, seed</th><td class="l">{{.R.Trials}} trials, seed {{.R.Seed}}</td></tr>
<tr><th class="l">horizon</th><td class="l">{{printf "%.0f" .R.HorizonDays}} days from {{.R.Start}}, reported by {{.R.Period}}</td></tr>
<tr><th class="l">generated</th><td class="l">{{.Generated}}</td></tr>
</table>

<nav id="contents"><strong>Contents</strong><ol>
{{range .Contents}}<li><a href="#{{.ID}}">{{.Title}}</a></li>
{{end}}</ol></nav>

<h2 id="summary">Summary</h2>
<div id="summary">{{range .Summary}}<p>{{.}}</p>
{{end}}</div>

<h2 id="findings">Key findings</h2>
<p class="note">Shortfall is unmet demand over the horizon, in tonnes of oxide. Each ± is one standard error of the Monte Carlo estimate to its left. CVaR95 is the mean of the worst 5 % of trials (see the glossary).</p>
{{range .Materials}}
<h3 id="findings-{{.Material}}">{{.Material}}</h3>
<table class="findings" data-material="{{.Material}}">
<tr><th class="l">consumers</th><th>P(short)</th><th>±</th><th>mean shortfall</th><th>±</th><th>% of demand</th><th>P95</th><th>CVaR95</th><th>median first shortfall</th></tr>
{{range .Rows}}<tr{{if eq .Scope "total"}} class="total"{{end}}><td class="l">{{.Label}}</td><td>{{.PShort}}</td><td>{{.PShortSE}}</td><td>{{.Mean}}</td><td>{{.MeanSE}}</td><td>{{.Frac}}</td><td>{{.P95}}</td><td>{{.CVaR95}}</td><td>{{.FirstShort}}</td></tr>
{{end}}</table>
{{if .Regions}}<table class="regions" data-material="{{.Material}}">
<tr><th class="l">consumer region</th><th class="l">its consumers</th><th>P(short)</th><th>±</th><th>mean shortfall</th><th>±</th><th>% of demand</th><th>P95</th><th>CVaR95</th><th>median first shortfall</th></tr>
{{range .Regions}}<tr><td class="l">{{.ID}}</td><td class="l">{{.Members}}</td><td>{{.PShort}}</td><td>{{.PShortSE}}</td><td>{{.Mean}}</td><td>{{.MeanSE}}</td><td>{{.Frac}}</td><td>{{.P95}}</td><td>{{.CVaR95}}</td><td>{{.FirstShort}}</td></tr>
{{end}}</table>{{end}}
{{end}}

<h2 id="charts">Charts</h2>
{{range .Charts}}<figure id="chart-{{.Name}}">{{.SVG}}<figcaption>{{.Caption}}</figcaption></figure>
{{end}}

{{if .Events}}<h2 id="events">Events</h2>
<p class="note">Each event's fields as the scenario wrote them (after any --set overrides).</p>
<table id="events">
<tr><th class="l">event</th><th class="l">type</th><th class="l">probability</th><th class="l">parameters</th></tr>
{{range .Events}}<tr><td class="l">{{.ID}}</td><td class="l">{{.Type}}</td><td class="l">{{.Probability}}</td><td class="l"><ul class="params">{{range .Params}}<li>{{.}}</li>{{end}}</ul></td></tr>
{{end}}</table>{{end}}

{{with .Discovery}}<h2 id="discovery">Where the worst trials concentrate</h2>
<p>Of the {{.Trials}} trials, the {{.Bad}} worst of <code>{{.Output}}</code> (the worst {{pct .Worst}}) concentrate where
<strong>{{range $i, $c := .Conditions}}{{if $i}} and {{end}}{{$c}}{{end}}</strong>:
that box holds {{pct .Coverage}} of the worst trials, and {{pct .Density}} of its trials are among them, {{printf "%.1f" .Lift}} times the share of all trials (found by PRIM, Friedman and Fisher 1999).</p>{{end}}
{{if .Drivers}}<h2 id="drivers">What drives the shortfall</h2>
<p>Each event or stockpile switched off alone, with the same seed (common random numbers): the expected total shortfall, all materials together, that it accounts for, ± the standard error of the paired difference. They interact, so the shares need not add up to 100 %; a negative value relieves the shortfall.</p>
<table id="drivers">
<tr><th class="l">intervention</th><th class="l">type</th><th>accounts for</th><th>±</th><th>share</th></tr>
{{range .Drivers}}<tr><td class="l">{{.ID}}</td><td class="l">{{.Type}}</td><td>{{.AccountsFor}}</td><td>{{.SE}}</td><td>{{.Share}}</td></tr>
{{end}}</table>
{{range .AttributionCharts}}<figure id="chart-{{.Name}}">{{.SVG}}<figcaption>{{.Caption}}</figcaption></figure>
{{end}}{{end}}
{{if .Costs}}<h2 id="costs">Cost-effectiveness</h2>
<p>Dollars per tonne of shortfall avoided (all materials together), cheapest first: the intervention's cost over the shortfall the scenario has without it less the shortfall with it, with a 95 % interval from the paired difference's.</p>
<table id="costs">
<tr><th class="l">intervention</th><th class="l">type</th><th>cost</th><th>avoids</th><th>±</th><th>USD per t avoided</th><th>95 % interval</th></tr>
{{range .Costs}}<tr><td class="l">{{.ID}}</td><td class="l">{{.Type}}</td><td>{{.Cost}}</td><td>{{.Avoids}}</td><td>{{.SE}}</td><td>{{.PerT}}</td><td>{{.Interval}}</td></tr>
{{end}}</table>{{end}}

{{range .Sections}}<h2 id="{{.ID}}">{{.Title}}</h2>
<p>{{.Intro}}</p>
{{if .Rows}}<table class="section" data-section="{{.ID}}">
<tr>{{range $i, $h := .Header}}<th{{if eq $i 0}} class="l"{{end}}>{{$h}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range $i, $c := .}}<td{{if eq $i 0}} class="l"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</table>{{end}}
{{range .Charts}}<figure id="chart-{{.Name}}">{{.SVG}}<figcaption>{{.Caption}}</figcaption></figure>
{{end}}{{end}}

{{if .R.Warnings}}<h2 id="warnings">Warnings</h2><ul>{{range .R.Warnings}}<li>{{.}}</li>{{end}}</ul>{{end}}

<h2 id="glossary">Glossary</h2>
<dl id="glossary">
<dt>shortfall</dt><dd>Demand a consumer did not receive from its routes, inventory or stockpile, in tonnes of oxide over the horizon.</dd>
<dt>P(short)</dt><dd>The share of trials with any shortfall (more than 1e-9 t).</dd>
<dt>% of demand</dt><dd>Shortfall over cumulative demand, averaged over trials.</dd>
<dt>±</dt><dd>One standard error of the Monte Carlo estimate beside it: the noise of the estimate, not the spread of outcomes.</dd>
<dt>P50, P95</dt><dd>The median and the 1-in-20 value over trials.</dd>
<dt>CVaR95</dt><dd>The mean of the worst 5 % of trials: the largest values for shortfall, shortfall fraction, peak fraction and days short; the smallest for delivered and for the time to the first shortfall, where less is worse.</dd>
<dt>substituted</dt><dd>Demand a consumer gave up by substitution or thrifting after being short long enough; neither shortfall nor delivered.</dd>
<dt>first shortfall</dt><dd>Days from the start to the first shortfall, over the trials that have one.</dd>
</dl>
<p class="note">Made with reesim. Every figure is reproducible: the same scenario, seed and trial count give the same result to the bit.</p>
</body>
</html>
`))
