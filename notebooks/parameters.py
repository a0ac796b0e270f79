"""The parameters of each notebook: one pydantic model per notebook (types, ranges, choices).

A field's default is the value in the notebook's ``parameters`` cell (a test checks that
they agree); the pipeline validates a run's parameters with the model before any kernel
starts (:func:`cluster_research.pipeline.params.validate_parameters`). Checks that need
the data (places, years with data, districts, a user's CSV) call the library function that
knows the data. A new parameter: its line in the notebook's ``parameters`` cell and a field
here; a new notebook: a model here and its entry in :data:`NOTEBOOK_PARAMETERS`.
"""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from cluster_research import data, limits
from cluster_research.errors import ParameterError
from cluster_research.growth import MODELS, get_spec
from cluster_research.lifecycle.panel import METHODS as PANEL_METHODS


def _year(value: int) -> int:
    if not data.YEAR_MIN <= value <= data.YEAR_MAX:
        raise ValueError(f"{value!r} is not a year in {data.YEAR_MIN}-{data.YEAR_MAX}")
    return value


def _province(value: str, info: ValidationInfo) -> str:
    data.places.province_of(value, parameter=info.field_name)  # a city names its province
    return value


def _place(value: str, info: ValidationInfo) -> str:
    if value:
        data.places.resolve_place(value, parameter=info.field_name)  # unknown: closest names
    return value


def _districts(value: list) -> list:
    from cluster_research.geo import match_districts, shanghai_districts

    match_districts(shanghai_districts(), value)
    return value


Year = Annotated[int, AfterValidator(_year),
                 Field(description=f"year {data.YEAR_MIN}-{data.YEAR_MAX} within the data")]
Province = Annotated[str, AfterValidator(_province), Field(
    description="provincial-level region (name, English name or code)")]
Lang = Literal["zh", "en"]
Information = Literal["realtime", "hindsight"]
Indicator = Literal[tuple(data.PANEL_INDICATORS)]
Source = Annotated[Literal[tuple(data.sources()["source_id"])],
                   Field(description="source id of data/sources.csv")]
Formats = Annotated[list[Literal["png", "svg", "pdf"]], Field(min_length=1)]
Boot = Annotated[int, Field(ge=1, le=100_000)]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]
Noise = Annotated[float, Field(ge=0.0, le=1.0)]
Truth = Literal["logistic", "gompertz", "mixed"]
PanelMethod = Literal[PANEL_METHODS]
Regions = Annotated[int, Field(ge=3, le=500)]
#: Fewest actual values the growth fits of Shanghai's series are run on (notebook 02).
MIN_GROWTH_VALUES = 4


class Parameters(BaseModel):
    """Strict types (no "2015" for 2015), no undeclared names; defaults are not re-checked."""

    model_config = ConfigDict(strict=True, extra="forbid")


class PaperClaims(Parameters):
    """01_paper_claims: the paper's claims checked."""

    lang: Lang = "zh"


class ShanghaiGrowth(Parameters):
    """02_shanghai_growth: growth models fitted to Shanghai's transaction series."""

    region_label: Literal["上海"] = "上海"
    lang: Lang = "zh"
    through_year: Year | None = None
    models: Annotated[list[Literal[MODELS]], Field(min_length=1)] = [
        "exponential", "logistic", "gompertz", "richards", "bass"]
    errors: Literal["multiplicative", "additive"] = "multiplicative"
    exclude_source_ids: list[Source] = ["hc_github_codecomment_tjjsh_2026_03_30"]
    sensitivity_exclude: list[Source] = []
    interval: Literal["prediction", "confidence"] = "prediction"
    plot_to_year: Year = 2030

    @model_validator(mode="after")
    def _enough_values(self):
        """Each fit (main and sensitivity) keeps more actual values than a model has
        parameters, and at least :data:`MIN_GROWTH_VALUES`."""
        obs = data.shanghai_transactions(exclude_source_ids=self.exclude_source_ids)
        t, last = self.through_year, int(obs.index.max())
        if t is not None and t > last:
            raise ParameterError(f"parameter 'through_year' = {t} is beyond the last "
                                 f"observation ({last}); use null for all data")
        fit = obs if t is None else obs[obs.index <= t]
        need = {m: len(get_spec(m).param_names) for m in self.models}
        least = max(MIN_GROWTH_VALUES, *need.values())
        if len(fit) < least:
            what = " with ".join(f"parameter {k!r} = {getattr(self, k)!r}" for k in (
                "exclude_source_ids", "through_year") if getattr(self, k) not in (None, []))
            most = ", ".join(m for m, k in need.items() if k == least)
            kept = ", ".join(map(str, fit.index)) or "none"
            raise ParameterError(f"{what} keeps {len(fit)} actual values of Shanghai's series "
                                 f"({kept}); the fits need at least {least}"
                                 + (f" ({most}: {least} parameters)" if most else ""))
        alt = data.shanghai_transactions(exclude_source_ids=self.sensitivity_exclude)
        alt = alt if t is None else alt[alt.index <= t]
        if min(need.values()) >= len(alt):
            cut = "" if t is None else f" up to 'through_year' = {t}"
            raise ParameterError(
                f"parameter 'sensitivity_exclude' = {self.sensitivity_exclude} "
                f"leaves {len(alt)} actual values{cut}: no model of "
                f"{list(need)} has fewer parameters, so the sensitivity check has nothing to "
                "fit; exclude fewer sources")
        if self.plot_to_year < int(obs.index.min()):
            raise ParameterError("parameter 'plot_to_year' is before the first observation")
        return self


class LifecycleStage(Parameters):
    """03_lifecycle_stage: a region's lifecycle stage in chosen years."""

    region: Province = "上海"
    years: Annotated[list[Year], Field(min_length=1)] = [2010, 2011]
    information: Information = "hindsight"
    lang: Lang = "zh"
    n_boot: Boot = 1000
    seed: Seed = 0
    curve_models: Annotated[list[Literal[tuple(m for m in MODELS if m != "exponential")]],
                            Field(min_length=1)] = ["logistic", "gompertz", "richards", "bass"]
    exclude_source_ids: list[Source] = ["hc_github_codecomment_tjjsh_2026_03_30"]

    @model_validator(mode="after")
    def _years_with_data(self):  # Shanghai's transaction series counts for 上海
        data.check_years(region=self.region, shanghai_series=True, years=self.years)
        return self


class Figure1Parks(Parameters):
    """04_figure1_parks: the paper's Figure 1, Shanghai's park districts."""

    lang: Lang = "zh"
    highlight_districts: Annotated[list[str], Field(min_length=1), AfterValidator(
        _districts)] = ["嘉定区", "普陀区", "宝山区", "徐汇区", "浦东新区"]


class StrategyIndicators(Parameters):
    """05_strategy_indicators: a region's indicators of the four strategy pillars."""

    region: Province = "上海"
    year_from: Year = 2015
    year_to: Year = 2024
    lang: Lang = "zh"
    map_indicator: Indicator = "ecommerce_sales"

    @model_validator(mode="after")
    def _years_with_data(self):
        if self.year_from > self.year_to:
            raise ParameterError(f"year_from ({self.year_from}) is after year_to "
                                 f"({self.year_to})")
        data.check_years(region=self.region, year_from=self.year_from, year_to=self.year_to)
        return self


class RegionProfile(Parameters):
    """06_region_profile: one region's (or a user CSV's) growth and stage profile."""

    region: Province = "上海"
    csv_path: str = ""
    csv_series: str = ""
    indicator: Indicator = "ecommerce_sales"
    year: Year | None = None
    information: Information = "hindsight"
    window: Annotated[int, Field(ge=3, le=10)] = 5
    n_boot: Boot = 200
    seed: Seed = 0
    benchmark: Province = "上海"
    lang: Lang = "zh"
    figure_formats: Formats = ["png", "svg"]

    @model_validator(mode="after")
    def _years_with_data(self):
        if self.csv_path:  # the user's own series: checked (years too) where it is read
            from cluster_research.pipeline.userdata import profile_series

            profile_series(self.csv_path, self.csv_series)
        else:
            data.check_years(self.indicator, self.region, year=self.year)
        return self


class CrossRegion(Parameters):
    """07_cross_region: stages of all provinces, map and heatmap."""

    year: Year = 2024
    year_from: Year = 2015
    indicator: Indicator = "ecommerce_sales"
    highlight: Province = "上海"
    lang: Lang = "zh"

    @model_validator(mode="after")
    def _years_with_data(self):
        data.check_years(self.indicator, self.highlight, year=self.year,
                         year_from=self.year_from)
        return self


class Drivers(Parameters):
    """08_drivers: panel regressions of e-commerce on its drivers."""

    break_threshold: Annotated[float, Field(gt=-1.0, lt=0.0, allow_inf_nan=False)] = -0.30
    # Driscoll-Kraay lags: the NBS panel has 10 years (2015-2024), so at most 9
    dk_maxlags: Annotated[int, Field(ge=0, le=9)] | None = None
    lang: Lang = "zh"


class TaobaoVillages(Parameters):
    """09_taobao_villages: Taobao villages of a province or city, by county."""

    region: Annotated[str, AfterValidator(_place), Field(description=(
        "province or a city or county of the Taobao-village lists (金华)"))] = "浙江"
    city: Annotated[str, AfterValidator(_place), Field(description=(
        "a city of the Taobao-village lists (金华 or 金华市), or a county (义乌: its city's map, "
        "the county emphasised); empty: the whole province"))] = ""
    year: Year = 2016
    scheme: Literal["log", "quantile"] = "log"
    lang: Lang = "zh"
    figure_formats: Formats = ["png", "svg"]

    @model_validator(mode="after")
    def _listed(self):
        years = sorted({int(y) for y in data.taobao.load_villages()["year"]})
        if self.year not in years:
            raise ParameterError(f"parameter 'year' = {self.year} is not a year of the "
                                 f"Taobao-village lists ({', '.join(map(str, years))})")
        if {"region", "city"} & self.model_fields_set:  # the counties of a listed city
            from cluster_research import taobao

            try:
                place = self.city and data.places.resolve_place(self.city, parameter="city")
                taobao.resolve_place(self.region, place.city if place and place.kind == "county"
                                     else self.city)
            except taobao.ParameterError as exc:
                raise ParameterError(f"parameters 'region'/'city': {exc}") from None
        return self


class StageModel(Parameters):
    """10_stage_model: panel stage models scored on simulated panels."""

    methods: Annotated[list[PanelMethod], Field(min_length=1)] = [
        "auto", "eb", "lag", "pooled", "hmm", "curve"]
    noises: Annotated[list[Noise], Field(min_length=1)] = [0.08, 0.15]
    truths: Annotated[list[Truth], Field(min_length=1)] = ["logistic", "gompertz", "mixed"]
    designs: Annotated[list[Literal["independent", "shifted"]], Field(min_length=1)] = [
        "independent", "shifted"]
    seeds: Annotated[list[Seed], Field(min_length=1)] = [0]
    n_regions: Regions = 30
    n_years: Annotated[int, Field(ge=5, le=60)] = 15
    realtime_methods: list[PanelMethod] = ["auto", "eb"]
    realtime_noises: Annotated[list[Noise], Field(min_length=1)] = [0.08, 0.15]
    realtime_truths: Annotated[list[Truth], Field(min_length=1)] = ["logistic"]
    realtime_regions: Regions = 15
    n_boot: Boot = 200
    nbs_check: bool = True
    nbs_methods: Annotated[list[PanelMethod], Field(min_length=1)] = ["auto", "eb"]
    lang: Lang = "zh"

    @model_validator(mode="after")
    def _scores_a_bar(self):
        if not limits.scored_bars(self.noises, self.realtime_noises, self.realtime_methods):
            bars = "; ".join(f"{b['information']} at noise {b['noise']}"
                             for b in limits.STAGE_MODEL_BARS)
            raise ParameterError(
                f"parameters 'noises' = {self.noises}, 'realtime_noises' = "
                f"{self.realtime_noises} (realtime_methods = {self.realtime_methods}) score "
                f"none of the acceptance bars ({bars}); include one of those noise levels")
        return self


class City(Parameters):
    """11_city: what the package has for a city or county."""

    city: Annotated[str, AfterValidator(_place), Field(
        description="any city or county (深圳, 义乌, 曹县)")] = "义乌"
    csv_path: str = ""
    lang: Lang = "zh"
    figure_formats: Formats = ["png", "svg"]

    @model_validator(mode="after")
    def _user_series(self):
        if self.csv_path:
            from cluster_research.pipeline.userdata import profile_series

            profile_series(self.csv_path)
        return self


#: Notebook stem -> its parameter model.
NOTEBOOK_PARAMETERS = {
    "01_paper_claims": PaperClaims, "02_shanghai_growth": ShanghaiGrowth,
    "03_lifecycle_stage": LifecycleStage, "04_figure1_parks": Figure1Parks,
    "05_strategy_indicators": StrategyIndicators, "06_region_profile": RegionProfile,
    "07_cross_region": CrossRegion, "08_drivers": Drivers, "09_taobao_villages": TaobaoVillages,
    "10_stage_model": StageModel, "11_city": City,
}
