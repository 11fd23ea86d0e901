"""Contains all the data models used in inputs/outputs"""

from .agent_accepted import AgentAccepted
from .agent_create import AgentCreate
from .agent_metrics import AgentMetrics
from .agent_page import AgentPage
from .agent_public import AgentPublic
from .agent_risk_params import AgentRiskParams
from .agent_status import AgentStatus
from .agent_update import AgentUpdate
from .agent_version_public import AgentVersionPublic
from .architecture import Architecture
from .backtest_metrics import BacktestMetrics
from .backtest_page import BacktestPage
from .backtest_progress import BacktestProgress
from .backtest_public import BacktestPublic
from .backtest_request import BacktestRequest
from .backtest_settings import BacktestSettings
from .backtest_status import BacktestStatus
from .backtest_summary import BacktestSummary
from .backtest_trade import BacktestTrade
from .call_summary import CallSummary
from .data_frequency import DataFrequency
from .data_source import DataSource
from .decision import Decision
from .direction import Direction
from .equity_point import EquityPoint
from .error_body import ErrorBody
from .error_code import ErrorCode
from .error_context import ErrorContext
from .error_context_create_agent_request import ErrorContextCreateAgentRequest
from .error_response import ErrorResponse
from .exposure import Exposure
from .feature import Feature
from .field_error import FieldError
from .fold_metrics import FoldMetrics
from .held_out_score import HeldOutScore
from .holding import Holding
from .hyperparameters import Hyperparameters
from .instrument_kind import InstrumentKind
from .instrument_shape import InstrumentShape
from .instrument_shape_vendor_codes import InstrumentShapeVendorCodes
from .interval_score import IntervalScore
from .investor_dashboard import InvestorDashboard
from .leaderboard_entry import LeaderboardEntry
from .liveness import Liveness
from .login_form import LoginForm
from .loss_point import LossPoint
from .manager_dashboard import ManagerDashboard
from .mark_read import MarkRead
from .marked_read import MarkedRead
from .model_preferences import ModelPreferences
from .not_ready import NotReady
from .not_ready_checks import NotReadyChecks
from .notification_event import NotificationEvent
from .notification_page import NotificationPage
from .notification_payload import NotificationPayload
from .notification_public import NotificationPublic
from .open_entry_window import OpenEntryWindow
from .outcome_status import OutcomeStatus
from .position import Position
from .predict_preferences import PredictPreferences
from .predict_request import PredictRequest
from .predict_request_agent_ids_type_0 import PredictRequestAgentIdsType0
from .predict_response import PredictResponse
from .prediction_page import PredictionPage
from .prediction_record import PredictionRecord
from .progress import Progress
from .quant_agent import QuantAgent
from .quant_dashboard import QuantDashboard
from .readiness import Readiness
from .readiness_checks import ReadinessChecks
from .refresh_form import RefreshForm
from .refresh_request import RefreshRequest
from .retrain_policy import RetrainPolicy
from .retrain_request import RetrainRequest
from .retrain_window import RetrainWindow
from .risk_metrics_out import RiskMetricsOut
from .risk_params import RiskParams
from .short_term_trader_dashboard import ShortTermTraderDashboard
from .signal_counts import SignalCounts
from .skill import Skill
from .stale_reason import StaleReason
from .stock_prediction import StockPrediction
from .stored_predict_request import StoredPredictRequest
from .stored_predict_request_agent_ids import StoredPredictRequestAgentIds
from .stored_preferences import StoredPreferences
from .stored_risk_metrics import StoredRiskMetrics
from .stored_stock_prediction import StoredStockPrediction
from .stored_window import StoredWindow
from .stream_token import StreamToken
from .time_window import TimeWindow
from .token_response import TokenResponse
from .track_record import TrackRecord
from .trade_signal import TradeSignal
from .trade_signal_request import TradeSignalRequest
from .trade_signal_response import TradeSignalResponse
from .user_create import UserCreate
from .user_public import UserPublic
from .user_segment import UserSegment
from .user_update import UserUpdate
from .version_role import VersionRole
from .walk_forward import WalkForward
from .webhook_secret import WebhookSecret

__all__ = (
    "AgentAccepted",
    "AgentCreate",
    "AgentMetrics",
    "AgentPage",
    "AgentPublic",
    "AgentRiskParams",
    "AgentStatus",
    "AgentUpdate",
    "AgentVersionPublic",
    "Architecture",
    "BacktestMetrics",
    "BacktestPage",
    "BacktestProgress",
    "BacktestPublic",
    "BacktestRequest",
    "BacktestSettings",
    "BacktestStatus",
    "BacktestSummary",
    "BacktestTrade",
    "CallSummary",
    "DataFrequency",
    "DataSource",
    "Decision",
    "Direction",
    "EquityPoint",
    "ErrorBody",
    "ErrorCode",
    "ErrorContext",
    "ErrorContextCreateAgentRequest",
    "ErrorResponse",
    "Exposure",
    "Feature",
    "FieldError",
    "FoldMetrics",
    "HeldOutScore",
    "Holding",
    "Hyperparameters",
    "InstrumentKind",
    "InstrumentShape",
    "InstrumentShapeVendorCodes",
    "IntervalScore",
    "InvestorDashboard",
    "LeaderboardEntry",
    "Liveness",
    "LoginForm",
    "LossPoint",
    "ManagerDashboard",
    "MarkedRead",
    "MarkRead",
    "ModelPreferences",
    "NotificationEvent",
    "NotificationPage",
    "NotificationPayload",
    "NotificationPublic",
    "NotReady",
    "NotReadyChecks",
    "OpenEntryWindow",
    "OutcomeStatus",
    "Position",
    "PredictionPage",
    "PredictionRecord",
    "PredictPreferences",
    "PredictRequest",
    "PredictRequestAgentIdsType0",
    "PredictResponse",
    "Progress",
    "QuantAgent",
    "QuantDashboard",
    "Readiness",
    "ReadinessChecks",
    "RefreshForm",
    "RefreshRequest",
    "RetrainPolicy",
    "RetrainRequest",
    "RetrainWindow",
    "RiskMetricsOut",
    "RiskParams",
    "ShortTermTraderDashboard",
    "SignalCounts",
    "Skill",
    "StaleReason",
    "StockPrediction",
    "StoredPredictRequest",
    "StoredPredictRequestAgentIds",
    "StoredPreferences",
    "StoredRiskMetrics",
    "StoredStockPrediction",
    "StoredWindow",
    "StreamToken",
    "TimeWindow",
    "TokenResponse",
    "TrackRecord",
    "TradeSignal",
    "TradeSignalRequest",
    "TradeSignalResponse",
    "UserCreate",
    "UserPublic",
    "UserSegment",
    "UserUpdate",
    "VersionRole",
    "WalkForward",
    "WebhookSecret",
)
