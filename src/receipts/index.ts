export {
  createReceipt,
  type ReceiptBody,
  type ReceiptRating,
  rateReceipt,
  receiptRatingType,
  receiptType,
  type VerifiedReceipt,
  verifyReceipt,
} from './receipt.js';
